from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. Dapodik sync."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if ApiToken.objects.for_user(self.user).active().filter(name=name).exists():
            raise forms.ValidationError(
                _("You already have an active token with this name."), code="duplicate"
            )
        return name
