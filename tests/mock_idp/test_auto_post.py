"""The auto-post page is what the Jinja template it replaced rendered, escaping included."""

from __future__ import annotations

import pytest
from jinja2 import Environment

from mock_idp.sso import PostForm
from mock_idp.views.auto_post import page

# The template as it was (mock_idp/templates/post.html), rendered with autoescape as Flask does.
TEMPLATE = (
    '<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" '
    'action="{{ form.action }}"><input type="hidden" name="SAMLResponse" '
    'value="{{ form.saml_response }}" />{% if form.relay_state is not none %}<input '
    'type="hidden" name="RelayState" value="{{ form.relay_state }}" />{% endif %}<noscript><p>'
    'Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" />'
    '</noscript></form><script language="javascript">window.setTimeout(function() '
    "{document.forms[0].submit();}, 0);</script></body></html>"
)


@pytest.mark.parametrize(
    "form",
    [
        PostForm(action="https://sp.example/acs", saml_response="PHNhbWw+", relay_state=None),
        PostForm(action="https://sp.example/acs?a=1&b=2", saml_response="x+/=", relay_state=""),
        PostForm(
            action='https://sp.example/"><script>alert(1)</script>',
            saml_response="<>&'\"",
            relay_state="https://sp.example/next?x=1&y='2'\"",
        ),
    ],
)
def test_the_page_is_the_templates_rendering(form: PostForm) -> None:
    expected = Environment(autoescape=True).from_string(TEMPLATE).render(form=form)
    assert page(form) == expected
    assert "<script>alert" not in page(form)
