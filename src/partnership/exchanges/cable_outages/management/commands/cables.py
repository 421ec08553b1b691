"""`partnership cables import | history | routes | cut`: the connectivity map (para 61) from the command line.

The same services and queries as `/api/v1/cables/`. `routes` and `cut` read the map as USER when one
is given; without one they run as the node's operator, who holds the map anyway.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from partnership.errors import Invalid, NotFound, PermissionDenied
from partnership.people.services import user_named

from ... import services
from ...queries import OPERATOR, RouteQuestion, cut_answer, history, route_answer


class Command(BaseCommand):
    help = (
        "Import the submarine cable map (TeleGeography's API layout v3 or v2, or GeoJSON), and ask which "
        "routes join two parties and what survives a cut (para 61)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imported = sub.add_parser("import", help="import the map at PATH (a folder or a GeoJSON file)")
        imported.add_argument(
            "path",
            metavar="PATH",
            help="TeleGeography's API layout (a folder with cable/cable-geo.json, cable/<id>.json and "
            "landing-point/landing-point-geo.json), v3 or v2; or a GeoJSON file",
        )
        imported.add_argument("--user", required=True, help="the secretariat member importing")
        imported.add_argument("--json", action="store_true", help="print the import record as JSON")
        loaded = sub.add_parser(
            "history",
            help="load real outages reconstructed from public sources (a CSV of events) as historical "
            "reports, and print which Japan–EU paths each took away",
        )
        loaded.add_argument("path", metavar="PATH", help="the events CSV (event_id, start_date, ...)")
        loaded.add_argument("--user", required=True, help="the secretariat member loading")
        loaded.add_argument("--json", action="store_true", help="print the events and their effect as JSON")
        for name, text in (
            ("routes", "direct cables, paths through one or two hubs, and the min-cut between two parties"),
            ("cut", "what survives when CABLE... (and every cable through --corridor) are cut"),
        ):
            asked = sub.add_parser(name, help=text)
            if name == "cut":
                asked.add_argument("cables", nargs="*", metavar="CABLE", help="a cable id, e.g. seamewe-3")
                asked.add_argument(
                    "--corridor",
                    action="append",
                    default=[],
                    help="cut every cable through this corridor (red-sea-suez, malacca, luzon-strait); "
                    "repeat for more",
                )
            asked.add_argument("--from", dest="party_from", default="JP", help="a party (JP, EU) or ISO code")
            asked.add_argument("--to", dest="party_to", default="EU", help="a party (JP, EU) or ISO code")
            asked.add_argument("--user", default=None, help="the member reading (default: the operator)")
            asked.add_argument(
                "--json",
                action="store_true",
                help='print {"direct", "min_cut", "min_cut_cables", "hubs", "paths"'
                + (', "connected", "removed"}' if name == "cut" else "}"),
            )

    def handle(self, *args, **options):
        try:
            if options["action"] == "import":
                return self._import(options)
            if options["action"] == "history":
                return self._history(options)
            return self._ask(options)
        except (Invalid, PermissionDenied, NotFound) as error:
            raise CommandError(str(getattr(error, "message", error))) from None

    def _import(self, options):
        result = services.import_map(user_named(options["user"]), options["path"])
        record = result.record
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "stored": result.stored,
                        "uid": str(record.uid),
                        "layout": record.layout,
                        "cables": record.cables,
                        "landing_points": record.landing_points,
                        "changes": record.changes,
                        "warnings": record.warnings,
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        if not result.stored:
            self.stdout.write(
                f"Unchanged: the map is already this snapshot ({record.source}, {record.layout})."
            )
            return
        changes = record.changes
        self.stdout.write(
            f"Imported {record.cables} cables and {record.landing_points} landing points "
            f"({record.layout}): {len(changes['new'])} new, {len(changes['retired'])} retired, "
            f"{len(changes['rerouted'])} re-routed."
        )
        for kind in ("retired", "rerouted"):
            for slug in changes[kind]:
                self.stdout.write(f"  {kind}: {slug}")
        for warning in record.warnings:
            self.stderr.write(f"warning: {warning}")

    def _history(self, options):
        user = user_named(options["user"])
        result = services.load_history(user, options["path"])
        events = history(user)
        if options["json"]:
            for event in events:
                event["started_at"] = event["started_at"].date().isoformat()
                event["repaired_at"] = (
                    event["repaired_at"].date().isoformat() if event["repaired_at"] else None
                )
            self.stdout.write(
                json.dumps({"events": result.events, "stored": result.stored, "history": events}, indent=2)
            )
            return
        self.stdout.write(f"Read {result.events} events; stored {result.stored} historical reports.")
        for event in events:
            effect = event.get("effect")
            cables = ", ".join(event["cables"]) or "(cables not named)"
            line = f"{event['event']} {event['started_at']:%Y-%m-%d} {cables}"
            if effect:
                lost = ", ".join(effect["lost_direct"]) or "no direct cable"
                single = ", ".join(via[0] for via in effect["lost_paths"] if len(via) == 1) or "none"
                paths = f"{len(effect['lost_paths'])} hub paths (through one hub: {single})"
                state = "connected" if effect["connected"] else "DISCONNECTED"
                line += (
                    f": lost {lost}, {paths}; "
                    f"min-cut {effect['min_cut_before']} → {effect['min_cut_after']}, {state}"
                )
                if effect["not_on_map"]:
                    line += f" (not on this map: {', '.join(effect['not_on_map'])})"
            self.stdout.write(line)

    def _ask(self, options):
        reader = user_named(options["user"]) if options["user"] else OPERATOR
        question = RouteQuestion(
            options["party_from"],
            options["party_to"],
            tuple(options.get("cables") or ()),
            tuple(options.get("corridor") or ()),
        )
        cut = options["action"] == "cut"
        answer = (cut_answer if cut else route_answer)(reader, question)
        if options["json"]:
            answer = {key: value for key, value in answer.items() if key not in ("names", "from", "to")}
            self.stdout.write(json.dumps(answer, ensure_ascii=False, indent=2))
            return
        names = answer["names"]
        self.stdout.write(f"{answer['from']} – {answer['to']}")
        if cut:
            self.stdout.write(f"Cut: {', '.join(answer['removed']) or '(nothing)'}")
            self.stdout.write("Still connected." if answer["connected"] else "DISCONNECTED.")
        direct = ", ".join(names.get(slug, slug) for slug in answer["direct"]) or "(none)"
        self.stdout.write(f"Direct cables ({len(answer['direct'])}): {direct}")
        self.stdout.write(f"Min-cut: {answer['min_cut']} cables: {', '.join(answer['min_cut_cables'])}")
        self.stdout.write(f"Hubs: {', '.join(answer['hubs'][:15])}")
        for path in answer["paths"][:10]:
            legs = " | ".join(str(len(leg)) for leg in path["legs"])
            self.stdout.write(f"  via {' → '.join(path['via'])}: cables per leg {legs}")
        if len(answer["paths"]) > 10:
            self.stdout.write(f"  … {len(answer['paths']) - 10} more paths (--json lists them all)")
