"""Cases of docs/reference/attacks.md §3 G (the web layer around the ACS) and #36 (transport)."""

from __future__ import annotations

from mock_idp.faults import structure
from mock_idp.faults.model import EA, EA_RA, FaultCase, Profile, Recipe, Refusal, accept, reject


def _transport(
    name: str,
    description: str,
    source: str,
    recipe: Recipe,
    *,
    refusal: Refusal,
    section: str,
    profiles: tuple[Profile, ...] = EA_RA,
) -> FaultCase:
    return FaultCase(
        name=name,
        description=description,
        source=source,
        section=section,
        profiles=profiles,
        expected=reject(refusal),
        recipe=recipe,
    )


CASES: tuple[FaultCase, ...] = (
    FaultCase(
        name="relay-state-open-redirect",
        description="A valid response posted with RelayState=https://evil.example/",
        source="§3 #58; python3-saml README 'Avoiding Open Redirect attacks'",
        section="G",
        profiles=EA_RA,
        expected=accept("lands on Trakstar, never on RelayState"),
        recipe=Recipe(relay_state="https://evil.example/"),
    ),
    _transport(
        "deflated",
        "A valid response raw-DEFLATEd before base64 (HTTP-Redirect encoding on POST)",
        "§3 #36; docs/reference/entra.md §4.1",
        Recipe(deflate=True),
        refusal="malformed",
        section="T",
    ),
    _transport(
        "deflate-bomb",
        "20 MB of whitespace, raw-DEFLATEd to a few kilobytes",
        "§3 #36; CVE-2025-25293, CVE-2025-54572 (ruby-saml)",
        Recipe(serialize=structure.padded(20 * 1024 * 1024), deflate=True),
        refusal="malformed",
        profiles=EA,
        section="T",
    ),
    _transport(
        "oversized-response",
        "A valid response padded to 300 KB (over the 256 KB decoded limit)",
        "§3 #36; §5 item 4",
        Recipe(serialize=structure.padded(300 * 1024)),
        refusal="malformed",
        profiles=EA,
        section="T",
    ),
    _transport(
        "oversized-post",
        "A valid response padded to 600 KB (the POST body is over 512 KB)",
        "§3 #36; §5 item 4",
        Recipe(serialize=structure.padded(600 * 1024)),
        refusal="too-large",
        profiles=EA,
        section="T",
    ),
)
