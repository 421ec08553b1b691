"""Forms: what valid input is for inviting a person and changing a membership, for the web, the API and
the `user` command alike (the services validate with them)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Membership


class InvitationForm(forms.Form):
    """A person to invite: email (also their user name), organisation code, role, language of the mail."""

    email = forms.EmailField(
        label=_("Email"),
        max_length=150,  # it becomes the user name, which Django keeps to 150 characters
        help_text=_("Also the person's user name."),
    )
    organisation = forms.CharField(label=_("Organisation"), max_length=64, widget=forms.Select)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=Membership.Language.choices,
        help_text=_("The language of the invitation and of later mail."),
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Pages offer the secretariat's own organisations; the service refuses any other code in words.
        self.fields["organisation"].widget.choices = [("", "—"), *[(o.code, o.name) for o in organisations]]


class MembershipForm(InvitationForm):
    """A person's organisation, role and mail language (their email is their user name and stays)."""

    email = None  # type: ignore[assignment]


class OwnLanguageForm(forms.Form):
    """The language of the mail the node sends a member, which they choose on their own page."""

    language = forms.ChoiceField(
        label=_("Language of the mail you receive"),
        choices=Membership.Language.choices,
        help_text=_("Reminders and other mail from this node come in this language."),
    )


class AcceptInvitationForm(forms.Form):
    """The invitee's new password, twice (Django's password validators apply in the service)."""

    password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirmation = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
