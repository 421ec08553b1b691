"""The verifier's page: upload a QR image (or paste the text), see the result in your language.

Nothing about the person is stored: the upload is read in memory and forgotten with the response.
"""

from datetime import UTC, datetime

from django import forms
from django.conf import settings
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from partnership.people.models import Party
from partnership.people.permissions import actor_for

from . import services
from .equivalence import table
from .errors import MAX_INPUT_BYTES
from .messages import EXPLANATIONS, STEP_NAMES
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [(p.code, p.name) for p in Party.objects.order_by("code")]

    def clean(self):
        cleaned = super().clean()
        image, text = cleaned.get("image"), (cleaned.get("text") or "").strip()
        if bool(image) == bool(text):
            raise forms.ValidationError(_("Upload an image or paste a text (one of the two)."))
        if image and image.size > MAX_IMAGE_BYTES:
            self.add_error("image", _("The image is too large."))
        return cleaned


def verify_page(request):
    actor = actor_for(request.user)
    initial = {"party": actor.party.code if actor else settings.NODE_PARTY or "JP"}
    results = None
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES, initial=initial)
        if form.is_valid():
            image = form.cleaned_data.get("image")
            data = image.read() if image else form.cleaned_data["text"].strip().encode("utf-8")
            at = datetime.now(UTC)
            party = services.party_by_code(form.cleaned_data["party"])
            results = [
                {
                    "result": r,
                    "decisions": services.decisions(r, at),
                    "step": STEP_NAMES[r.error.step] if r.error else "",
                    "explanation": EXPLANATIONS[r.error.step] if r.error else "",
                }
                for r in services.verify(data, party, at)
            ]
    else:
        form = VerifyForm(initial=initial)
    return render(request, "health_certificates/verify.html", {"form": form, "results": results})


def table_page(request):
    language = "ja" if (get_language() or "en").startswith("ja") else "en"
    page = table(language, "html")
    body = page[page.index("<h1>") : page.rindex("</html>")]
    return render(request, "health_certificates/table.html", {"table": mark_safe(body)})  # noqa: S308 (escaped in equivalence)
