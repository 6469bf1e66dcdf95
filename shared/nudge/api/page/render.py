"""HTML pieces: the layout (landmarks, skip link, navigation) and small shared parts.

Everything shown is escaped here; views pass plain text.
"""

from __future__ import annotations

from html import escape

SECTIONS = [
    ("/", "Today"),
    ("/tasks", "Tasks and goals"),
    ("/reminders", "Reminders"),
    ("/memories", "Memories"),
    ("/notes", "Notes"),
    ("/settings", "Settings"),
    ("/account", "Your data"),
]


def e(text: object) -> str:
    return escape("" if text is None else str(text), quote=True)


def layout(title: str, body: str, *, current: str | None = None, csrf: str | None = None) -> str:
    nav = ""
    if current is not None:
        items = "".join(
            f'<li><a href="{href}"{_current(href == current)}>{e(name)}</a></li>'
            for href, name in SECTIONS
        )
        sign_out = (
            f'<form method="post" action="/logout" class="inline">{csrf_field(csrf)}'
            '<button type="submit" class="link">Sign out</button></form>'
        )
        nav = f'<nav aria-label="Sections"><ul>{items}</ul>{sign_out}</nav>'
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} · Nudge</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site"><p class="brand"><a href="/">Nudge</a></p>{nav}</header>
<main id="main" tabindex="-1">
<h1>{e(title)}</h1>
{body}
</main>
<footer class="site"><p>Your data is yours: export or delete it any time under
<a href="/account">Your data</a>.</p></footer>
</body>
</html>"""


def _current(yes: bool) -> str:
    return ' aria-current="page"' if yes else ""


def section(key: str, title: str, body: str) -> str:
    """A titled region (a landmark screen readers list by its heading)."""
    return f'<section aria-labelledby="{key}-h"><h2 id="{key}-h">{e(title)}</h2>{body}</section>'


def csrf_field(csrf: str | None) -> str:
    return f'<input type="hidden" name="csrf_token" value="{e(csrf)}">' if csrf else ""


def button_form(
    action: str, label: str, csrf: str, *, extra: str = "", style: str = "", about: str = ""
) -> str:
    """A one-button form; `about` names the item for screen readers ("Done: call mom")."""
    cls = f' class="{style}"' if style else ""
    aria = f' aria-label="{e(label)}: {e(about)}"' if about else ""
    return (
        f'<form method="post" action="{e(action)}" class="inline">{csrf_field(csrf)}{extra}'
        f'<button type="submit"{cls}{aria}>{e(label)}</button></form>'
    )


def notice(text: str | None) -> str:
    return f'<p class="notice" role="status">{e(text)}</p>' if text else ""


def message_page(title: str, text: str) -> str:
    return layout(title, f'<p>{e(text)}</p><p><a href="/">Back to Nudge</a></p>')


def signed_out_page() -> str:
    return layout(
        "Sign in",
        "<p>Nudge has no passwords. Text <strong>login</strong> to your Nudge number and "
        "you'll get a link that signs you in here. It works once, for a few minutes.</p>",
    )


def continue_page(token: str) -> str:
    return layout(
        "Sign in to Nudge",
        '<p>Tap the button to sign in on this device.</p><form method="post" action="/login">'
        f'<input type="hidden" name="t" value="{e(token)}">'
        '<button type="submit" class="primary">Sign in</button></form>',
    )
