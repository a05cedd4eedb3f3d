"""Entra's auto-post page: the self-submitting form that carries a SAML Response to the ACS.

Written out here rather than rendered from a template because every sign-in goes through it: a
Jinja render inside Flask's template context cost ~0.04 ms of a ~1.1 ms signed response, and the
page has three values, each escaped as Jinja's autoescape would (`tests/mock_idp/
test_auto_post.py` holds it to the template it replaced). The markup is Entra's, byte for byte.
"""

from __future__ import annotations

from markupsafe import escape

from mock_idp.sso import PostForm

_HEAD = '<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform"'
_TAIL = (
    "<noscript><p>Script is disabled. Click Submit to continue.</p>"
    '<input type="submit" value="Submit" /></noscript></form>'
    '<script language="javascript">window.setTimeout(function() {document.forms[0].submit();}'
    ", 0);</script></body></html>"
)


def page(form: PostForm) -> str:
    relay = (
        ""
        if form.relay_state is None
        else f'<input type="hidden" name="RelayState" value="{escape(form.relay_state)}" />'
    )
    return (
        f'{_HEAD} action="{escape(form.action)}">'
        f'<input type="hidden" name="SAMLResponse" value="{escape(form.saml_response)}" />'
        f"{relay}{_TAIL}"
    )
