"""The verifier's page: upload a QR image (or paste the text), see the result in your language.

Nothing about the person is stored: the upload is read in memory, never spooled to disk, and forgotten
with the response. A body larger than the upload limit is refused before a byte of it is read.
"""

from datetime import UTC, datetime

from django import forms
from django.conf import settings
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from partnership.errors import Invalid
from partnership.people import queries as people_queries
from partnership.people.permissions import actor_for

from . import presentation, services
from .equivalence import table
from .errors import MAX_INPUT_BYTES
from .qr import MAX_IMAGE_BYTES


class VerifyForm(forms.Form):
    image = forms.FileField(label=_("QR code image (PNG or JPEG)"), required=False)
    text = forms.CharField(
        label=_("…or the certificate's text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_INPUT_BYTES,
    )
    party = forms.ChoiceField(label=_("Check against the trusted keys and rules of"))

    def __init__(self, *args, refusal: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [(p.code, p.name) for p in people_queries.parties()]
        self.refusal = refusal  # why the upload was refused unread (too large)

    def clean(self):
        cleaned = super().clean()
        if self.refusal:
            self.add_error("image", self.refusal)
            return cleaned
        image, text = cleaned.get("image"), (cleaned.get("text") or "").strip()
        if bool(image) == bool(text):
            raise forms.ValidationError(_("Upload an image or paste a text (one of the two)."))
        if image and image.size > MAX_IMAGE_BYTES:
            self.add_error("image", _("The image is too large."))
        return cleaned


class UploadInMemory(MemoryFileUploadHandler):
    """Keeps the uploaded picture in memory, never in a temporary file: it is personal data, and the
    body's size is already known to be within the limit (Django's own handler would spool anything
    over FILE_UPLOAD_MAX_MEMORY_SIZE to disk)."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.activated = content_length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _initial(request) -> dict[str, str]:
    actor = actor_for(request.user)
    return {"party": actor.party.code if actor else settings.NODE_PARTY or "JP"}


# CsrfViewMiddleware would read (and spool) the whole body to find its token before this view runs:
# the size is checked first, then _verify_page makes the same CSRF check (csrf_protect).
@csrf_exempt
def verify_page(request):
    """The page; a POST larger than the upload limit is answered from its Content-Length alone, before
    anything (the CSRF check included) reads the body or spools it to disk."""
    if request.method == "POST":
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads such a body as empty
        if length > limit:
            refusal = _("The upload is too large: at most %(limit)s. A picture of a QR code needs far less.")
            form = VerifyForm(
                {"party": _initial(request)["party"]},
                refusal=str(refusal) % {"limit": filesizeformat(limit)},
            )
            form.is_valid()
            return render(
                request, "health_certificates/verify.html", {"form": form, "results": None}, status=413
            )
        request.upload_handlers = [UploadInMemory(request)]
    return _verify_page(request)


@csrf_protect
def _verify_page(request):
    initial = _initial(request)
    results, checked = None, None
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES, initial=initial)
        if form.is_valid():
            image = form.cleaned_data.get("image")
            data = image.read() if image else form.cleaned_data["text"].strip().encode("utf-8")
            at = datetime.now(UTC)
            party = services.party_by_code(form.cleaned_data["party"])
            try:
                results = [
                    presentation.show(r, services.decisions(r, at)) for r in services.verify(data, party, at)
                ]
                checked = {"at": at, "party": party}
            except Invalid as exc:  # an image too large to decode: said on its field
                for field, message in (exc.fields or {"image": exc.message}).items():
                    form.add_error(field if field in form.fields else None, message)
    else:
        form = VerifyForm(initial=initial)
    return render(
        request,
        "health_certificates/verify.html",
        {"form": form, "results": results, "checked": checked},
    )


def table_page(request):
    language = "ja" if (get_language() or "en").startswith("ja") else "en"
    page = table(language, "html")
    body = page[page.index("<h1>") : page.rindex("</html>")]
    return render(request, "health_certificates/table.html", {"table": mark_safe(body)})  # noqa: S308 (escaped in equivalence)
