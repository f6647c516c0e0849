"""The server-rendered sign-in and refusal pages (plain HTML with the app's own CSS)."""

from __future__ import annotations

from html import escape

from i18n import t

STYLESHEETS = (
    "/assets/00_vendor/bootstrap.min.css",
    "/assets/00_vendor/be-vietnam-pro/400.css",
    "/assets/00_vendor/be-vietnam-pro/600.css",
    "/assets/00_vendor/be-vietnam-pro/700.css",
    "/assets/50_app/app.css",
)


def _document(lang: str, title: str, body: str) -> str:
    links = "".join(f'<link rel="stylesheet" href="{href}">' for href in STYLESHEETS)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="robots" content="noindex"><title>{escape(title)}</title>{links}'
        '<link rel="icon" href="/assets/50_app/emblem.svg"></head>'
        f'<body class="signin-body">{body}</body></html>'
    )


def _brand(lang: str) -> str:
    return (
        '<div class="signin-brand"><img src="/assets/50_app/emblem.svg" alt="" class="brand-mark">'
        f'<div><div class="signin-product">{escape(t("app.short_title", lang))}</div>'
        f'<div class="signin-product-sub">{escape(t("app.title", lang))}</div></div></div>'
    )


def _language_links(lang: str, next_path: str) -> str:
    links = []
    for code in ("vi", "en"):
        current = ' aria-current="true"' if code == lang else ""
        links.append(
            f'<a href="/dang-nhap?lang={code}&amp;next={escape(next_path, quote=True)}"'
            f' class="signin-lang"{current}>{code.upper()}</a>'
        )
    return '<div class="signin-langs">' + "".join(links) + "</div>"


def signin_page(
    lang: str,
    *,
    csrf_token: str,
    next_path: str,
    username: str = "",
    message: str | None = None,
    notice: str | None = None,
    sso_label: str | None = None,
) -> str:
    """The sign-in form; `message` is an error, `notice` a neutral note (e.g. signed out)."""
    alert = (
        f'<div class="alert alert-danger" role="alert" data-testid="signin-error">'
        f"{escape(message)}</div>"
        if message
        else ""
    )
    note = (
        f'<div class="alert alert-info" role="status" data-testid="signin-notice">'
        f"{escape(notice)}</div>"
        if notice
        else ""
    )
    sso = (
        f'<a class="btn btn-outline-primary w-100 mt-3" data-testid="signin-sso" '
        f'href="/dang-nhap/sso/bat-dau?next={escape(next_path, quote=True)}">'
        f"{escape(sso_label)}</a>"
        if sso_label
        else ""
    )
    form = (
        f'<form method="post" action="/dang-nhap" data-testid="signin-form" class="signin-form">'
        f'<input type="hidden" name="csrf_token" value="{escape(csrf_token, quote=True)}">'
        f'<input type="hidden" name="next" value="{escape(next_path, quote=True)}">'
        f'<label class="form-label" for="username">{escape(t("auth.username", lang))}</label>'
        f'<input class="form-control mb-3" id="username" name="username" autocomplete="username"'
        f' autocapitalize="none" spellcheck="false" required maxlength="64" autofocus'
        f' value="{escape(username, quote=True)}">'
        f'<label class="form-label" for="password">{escape(t("auth.password", lang))}</label>'
        f'<input class="form-control mb-4" id="password" name="password" type="password"'
        f' autocomplete="current-password" required maxlength="256">'
        f'<button type="submit" class="btn btn-primary w-100" data-testid="signin-submit">'
        f"{escape(t('auth.submit', lang))}</button></form>"
    )
    body = (
        f'<main class="signin-card">{_brand(lang)}'
        f'<h1 class="signin-title">{escape(t("auth.title", lang))}</h1>'
        f"{note}{alert}{form}{sso}{_language_links(lang, next_path)}</main>"
    )
    return _document(lang, f"{t('auth.title', lang)} · {t('app.short_title', lang)}", body)


def refusal_page(lang: str, title: str, message: str) -> str:
    """A page that says what was refused and offers the way back."""
    body = (
        f'<main class="signin-card">{_brand(lang)}'
        f'<h1 class="signin-title">{escape(title)}</h1>'
        f'<div class="alert alert-warning" role="alert">{escape(message)}</div>'
        f'<a class="btn btn-outline-primary" href="/">{escape(t("auth.back_home", lang))}</a>'
        "</main>"
    )
    return _document(lang, f"{title} · {t('app.short_title', lang)}", body)
