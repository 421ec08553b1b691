"""`partnership cables import | history | routes | cut | profile | filer`: the connectivity map and the outage
reporting rules (para 61) from the command line.

The same services and queries as `/api/v1/cables/`. `routes` and `cut` read the map as USER when one
is given; without one they run as the node's operator, who holds the map anyway. `profile` and `filer`
act as the secretariat member named by --user, through the same services as the pages and the API.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from partnership.errors import Conflict, Invalid, NotFound, PermissionDenied
from partnership.people.services import user_named

from ... import services
from ...queries import (
    OPERATOR,
    RouteQuestion,
    cut_answer,
    designations,
    history,
    party_profile,
    reporting_profiles,
    route_answer,
)


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
        profile = sub.add_parser("profile", help="show or set your party's own outage reporting profile")
        profile_sub = profile.add_subparsers(dest="profile_action", required=True)
        shown = profile_sub.add_parser("show", help="print the shipped profiles and your party's own")
        shown.add_argument("--user", required=True, help="the member reading")
        shown.add_argument("--json", action="store_true", help="print the profiles as JSON")
        changed = profile_sub.add_parser("set", help="set your party's own profile (a secretariat)")
        changed.add_argument("--user", required=True, help="the secretariat member")
        changed.add_argument(
            "--stage",
            action="append",
            required=True,
            metavar="STAGE:HOURS[:AFTER]",
            help="a stage (notification, interim, final), its deadline in hours and what it counts from "
            "(detection, plan, repair or an earlier stage; default detection); repeat in stage order",
        )
        changed.add_argument(
            "--revision", type=int, default=None, help="the revision you read (0 for none): refused if newer"
        )
        filer = sub.add_parser("filer", help="list, designate or revoke cables' responsible filers")
        filer_sub = filer.add_subparsers(dest="filer_action", required=True)
        listed = filer_sub.add_parser("list", help="print the designations in force")
        listed.add_argument("--user", required=True, help="the member reading")
        listed.add_argument("--json", action="store_true", help="print the designations as JSON")
        named = filer_sub.add_parser(
            "designate", help="designate the operator of your party that files CABLE's outage reports"
        )
        named.add_argument("cable", metavar="CABLE", help="a cable id, e.g. seamewe-3")
        named.add_argument("organisation", metavar="OPERATOR", help="an operator of your party (its code)")
        named.add_argument(
            "--co-owner",
            action="append",
            default=[],
            help="an operator (either party) that reads its reports",
        )
        named.add_argument("--user", required=True, help="the secretariat member")
        revoked = filer_sub.add_parser("revoke", help="revoke your party's designation for CABLE")
        revoked.add_argument("cable", metavar="CABLE", help="a cable id")
        revoked.add_argument("--user", required=True, help="the secretariat member")
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
            if options["action"] == "profile":
                return self._profile(options)
            if options["action"] == "filer":
                return self._filer(options)
            return self._ask(options)
        except (Invalid, PermissionDenied, NotFound, Conflict) as error:
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

    def _profile(self, options):
        user = user_named(options["user"])
        if options["profile_action"] == "set":
            stages = []
            for text in options["stage"]:
                parts = text.split(":")
                if len(parts) not in (2, 3) or not parts[1].strip().isdigit():
                    raise CommandError(f"--stage {text}: give STAGE:HOURS or STAGE:HOURS:AFTER.")
                stages.append(
                    {
                        "stage": parts[0],
                        "hours": int(parts[1]),
                        "after": parts[2] if len(parts) == 3 else "detection",
                    }
                )
            services.set_party_profile(user, stages, options["revision"])
            found = party_profile(user)
            assert found is not None
            self.stdout.write(f"Saved {found['basis']}'s profile, revision {found['revision']}.")
            found_list = [found]
        else:
            found_list = reporting_profiles(user)
            if options["json"]:
                for profile in found_list:
                    profile.pop("changed_at", None)
                self.stdout.write(json.dumps(found_list, ensure_ascii=False, indent=2))
                return
        for profile in found_list:
            revision = f", revision {profile['revision']}" if profile.get("revision") else ""
            self.stdout.write(f"{profile['code']} ({profile['status']}{revision}):")
            for item in profile["stages"]:
                self.stdout.write(f"  {item['stage']}: {item['hours']} h after {item['after']}")

    def _filer(self, options):
        user = user_named(options["user"])
        action = options["filer_action"]
        if action == "designate":
            done = services.designate_filer(
                user, options["cable"], options["organisation"], options["co_owner"]
            )
            self.stdout.write(
                f"{done.cable_slug}: {done.organisation.code} files for the consortium "
                f"(revision {done.revision}, signed)."
            )
            return
        if action == "revoke":
            done = services.revoke_filer(user, options["cable"])
            self.stdout.write(
                f"{done.cable_slug}: the designation is revoked (revision {done.revision}, signed)."
            )
            return
        found = designations(user)
        rows = [
            {
                "cable": item.cable_slug,
                "party": item.party.code,
                "organisation": item.organisation.code,
                "co_owners": sorted(org.code for org in item.co_owners.all()),
                "revision": item.revision,
                "signed_by": item.signed_by,
            }
            for item in found
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("No cable has a responsible filer designated.")
        for row in rows:
            owners = ", ".join(row["co_owners"]) or "no co-owner"
            peer = f", signed by the {row['signed_by']} node" if row["signed_by"] else ""
            self.stdout.write(
                f"{row['cable']}: {row['organisation']} ({row['party']}{peer}); reads: {owners}"
            )

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
