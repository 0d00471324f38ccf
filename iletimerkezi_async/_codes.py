"""The provider's envelope status table as plain data: code → (Turkish message, meaning).

Kept apart from :mod:`iletimerkezi_async.errors`, which assigns each code its
exception class and publishes the joined table as ``errors.CODES``.
"""

from __future__ import annotations

from typing import Final

__all__ = ["MESSAGES"]

MESSAGES: Final[dict[int, tuple[str, str]]] = {
    400: ("İstek çözümlenemedi", "the request body could not be parsed"),
    401: (
        "Üyelik bilgileri hatalı",
        "authentication failed (key/hash, Allow API access, IP whitelist)",
    ),
    402: ("Bakiye yetersiz", "insufficient balance for the order"),
    403: ("Aktif abonelik bulunamadı", "no active İYS subscription or brand code"),
    404: ("API istek yapılan yönteme sahip değil", "unknown method or wrong URL"),
    422: ("İstek içerisindeki değerler doğrulanamadı.", "request values failed validation"),
    450: (
        "Gönderilen başlık kullanıma uygun değil",
        "sender not approved on the account (check case and whitespace)",
    ),
    451: (
        "Tekrar eden sipariş",
        "duplicate order: same text to the same recipients within 10 minutes",
    ),
    452: ("Mesaj alıcıları hatalı", "recipients missing or invalid, or blacklisted"),
    453: ("Sipariş boyutu aşıldı", "text longer than 7 SMS parts"),
    454: ("Mesaj metni boş", "empty message text"),
    455: ("Sipariş bulunamadı", "order not found, not on this account, or no longer cancellable"),
    456: (
        "Sipariş gönderim tarihi henüz gelmedi",
        "the order is scheduled and its time has not come yet",
    ),
    457: (
        "Mesaj gönderim tarihinin formatı hatalı",
        "bad sendDateTime format (expected dd/MM/yyyy HH:mm)",
    ),
    458: ("Tarih aralığı hatalı", "bad date format or range over 10 days"),
    459: ("Başlık kısmı boş olamaz", "sender (header) is empty"),
    460: (
        "Başlık 11 karakterden fazla olmamalı ve Türkçe karakter içermemelidir.",
        "sender longer than 11 characters or contains Turkish characters",
    ),
    461: ("Grup adını boş bırakamazsınız.", "group name is empty"),
    462: ("Grup id alanını boş bırakamazsınız.", "group id is empty"),
    463: ("Böyle bir grup bulunamadı.", "group not found"),
    464: ("Page değeri 1 den başlamalı.", "page must start from 1"),
    465: ("Kişi bulunamadı.", "person not found"),
    466: ("Hatalı numara.", "invalid number (not a Turkish carrier prefix)"),
    467: ("Evrak bilgisi eksik.", "document information missing"),
    468: (
        "IYS üzerinden sorgulama yapılıp, yapılmayacağını ayarlamalısınız.",
        "you must set whether to check İYS (iys)",
    ),
    469: (
        "IYS listenizi seçmelisiniz, BIREYSEL veya TACIR.",
        "you must choose iysList BIREYSEL or TACIR",
    ),
    470: ("IYS kodunuzu ayarlamalısınız.", "İYS code not configured on the account"),
    471: ("Arama terimi en az 3 karakter olmalıdır", "search term shorter than 3 characters"),
    472: (
        "Ad, soyad, cep telefonu, email alanlarından en az biri dolu olmalıdır.",
        "one of name, surname, mobile or e-mail is required",
    ),
    473: ("Özel alan bulunamadı.", "custom field not found"),
    474: (
        "Bu numara üzerindeki engelleme kaldırılamaz",
        "the block on this number cannot be removed (not on the blacklist)",
    ),
    503: ("Sunucu geçici olarak servis dışı", "server temporarily unavailable; retry with backoff"),
}
"""Every documented code (400–474, 503): the server's Turkish message and its meaning."""
