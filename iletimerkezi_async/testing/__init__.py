"""A faithful fake iletiMerkezi server for tests and local development.

``FakeIletiMerkezi`` runs a real aiohttp server on 127.0.0.1 (a random free
port by default) that implements every endpoint of the JSON API with state:
orders that progress on a controllable clock, the blacklist, İYS consents, an
inbox, the balance, the 451 duplicate guard, a recipients-per-second limit and
fault injection.  Test the SDK against it over real loopback HTTP::

    async with FakeIletiMerkezi() as fake:
        async with fake.client() as client:
            order = await client.sms.send("5051234567", "Kodunuz 1234", sender="APITEST")
        fake.advance(5)                       # delivery is now final
        assert fake.account.orders[order.id].status == 114

With pytest, the plugin (entry point ``pytest11``) offers the fixture
``fake_iletimerkezi``; ``@pytest.mark.fake_iletimerkezi(**options)`` passes
constructor options.  The factory fixture ``make_fake_iletimerkezi`` returns a
started fake per ``await make_fake_iletimerkezi(**options)`` call (several per
test; a misspelt option is a ``TypeError`` naming the known ones) and closes
every one it made after the test.  Standalone: ``python -m iletimerkezi_async.testing
--port 8080 [--host 127.0.0.1] [--key K --hash H] [--legacy-types]
[--clock-skew S] [--reports-delay S] [--drop-blacklisted] [--latency S]
[--fault-rate P] [--orders N --inbound N --days D --seed S]`` or the same
flags on ``iletimerkezi fake-server`` (binds
127.0.0.1 unless told otherwise; prints the URL, the key masked, never the hash).
A running fake also serves a loopback-only control API outside ``/v1``
(``POST /_fake/inbound``, ``/_fake/orders``, ``/_fake/fail``; ``GET
/_fake/requests``) for driving it from other languages; see ``_control``.

Options (keyword arguments; the fields of :class:`FakeOptions`, kept as ``fake.options``)
--------------------------------------------------------------------------------------
``api_key="test-key"``, ``api_hash="test-hash"``; ``host="127.0.0.1"``,
``port=0``; ``clock`` (a fresh :class:`FakeClock`); ``legacy_types=False``;
``api_access=True`` and ``ip_allowed=True`` (False makes every call 401);
``senders=("APITEST",)`` (what get-sender lists; ``fake.account.add_sender(name)``
adds); ``balance=Decimal("1000")`` TL and ``sms_credits=10000``;
``rate_limit=100`` recipients/s (None disables), ``rate_limit_burst=None``
(capacity, defaults to ``rate_limit``), ``rate_limit_status=503``,
``rate_limit_grace=0.05`` seconds; ``delivery_delay=1.0`` seconds;
``clock_skew=0.0`` seconds the server's clock runs ahead of ``clock``
(negative: behind; finite); ``reports_delay=0.0`` seconds (>= 0) before a
sent order shows in get-reports; ``drop_blacklisted=False`` (True: send-sms
leaves blacklisted recipients out of the order); ``undeliverable=()`` numbers
that end 112; ``brand_code=696422``;
``iys_subscription=True`` (False: 403 on consent endpoints);
``iys_configured=True`` (False: 470 on commercial sends);
``reports_page_size=30``; ``abroad=False`` (True: send-sms also accepts E.164
international numbers); ``webhook_url=None`` and the ``webhook_*`` options (see
below); ``seed=None`` and ``fault_rate=0.0`` for the random
fault injector; ``latency=0.0`` seconds added before every answer.  An unknown
option is a ``TypeError``.

``host``, ``port``, ``clock``, ``senders``, ``balance``, ``sms_credits`` and
``seed`` are read when the fake is built; every other option is read when it is
needed, so ``fake.options.api_access = False`` takes effect on the next request
(and a changed rate limit starts from a full bucket).  The live senders,
balance and credits belong to the account: ``fake.account.sms_credits = 0``.

Hooks and attributes
--------------------
On the fake: ``fake.url`` (``http://127.0.0.1:PORT``, no trailing slash, no
``/v1``), ``fake.port``, ``fake.client(**kw)`` (an SDK ``Client`` on this URL
and credentials), ``await fake.start()`` / ``await fake.close()`` (both
idempotent; a closed fake can be started again and keeps its state),
``fake.running``; ``fake.clock`` / ``fake.advance(seconds)``; ``fake.latency``;
``fake.add_order(submitted_at, *, recipients=1, status=114, sender="APITEST") -> str``
and ``fake.add_orders(submitted_ats, **same) -> list[str]`` (historical orders,
naive datetimes are Istanbul time), ``fake.add_inbound(text, *, sender="7889",
number="+905000000000", received_at=None) -> str``; the request log
``fake.requests`` (a plain list, clear it freely) of :class:`RecordedRequest`
(``.time`` = ``time.monotonic()`` at arrival, ``.path`` (the endpoint name, or
the URL path when no endpoint matched), ``.endpoint`` (the name or None),
``.method``, ``.body`` parsed JSON or None, ``.raw``, ``.headers``, ``.status``
answered or None, ``.fault``, ``.processed``) and
``fake.sent_requests(endpoint)``; the fault hooks below; the webhook hooks at
the end.

On ``fake.account`` (an :class:`Account`): the same ``add_order``,
``add_orders`` and ``add_inbound``, plus ``add_blacklist(number, *,
blocked_at=None) -> str``, ``add_consent(recipient, *, recipient_type, type,
status, source, consent_date) -> ConsentRecord`` and ``add_sender(name)``;
read-only views ``orders`` (id → :class:`OrderSnapshot`), ``blacklist``
(number → blocked-at), ``consents`` ((recipient, recipientType, type) →
:class:`ConsentRecord`), ``inbound``, ``senders``; the live ``balance`` and
``sms_credits``; ``collect_events()``.

Fault injection
---------------
Every hook takes ``path`` as an endpoint name (``send-sms``,
``consent/create``), its full path (``/v1/send-sms/json``) or the name with
``/json`` (a typo raises ``ValueError``), or ``"*"`` for any endpoint; each
consumes one of its ``times`` per request.
Faults queue per endpoint and apply in the order they were added; the
endpoint's queue is served before the ``"*"`` queue.

* ``fail(path, status=503, times=1, *, retry_after=None)``: the JSON error
  envelope with that status, before processing (``Retry-After`` when given).
* ``drop(path, when="before"|"after", times=1)``: the connection is closed
  without an answer (the client sees ``ServerDisconnectedError``); ``before``
  does not process the request, ``after`` does (an order is created).
* ``malform(path, kind, times=1)``: ``"html"`` is an HTTP 500 HTML page before
  processing (a proxy failing); ``"html_after"`` processes, then answers the
  same page.  The HTTP-200 kinds model an application that did the work and
  garbled the answer, so they process the request: ``"invalid_json"``
  (``{"response": {``), ``"truncated"`` (the first half of the real envelope),
  ``"empty"`` (no body).  ``"wrong_content_type"`` processes and answers the
  real, valid JSON envelope with its real status as ``text/plain``: a client
  must still accept it.
* ``stall(path, seconds, times=1, *, when="before")``: sleeps before answering.
  ``before`` sleeps first and then processes only if the client is still
  connected (a client that timed out created nothing); ``after`` processes
  first (the order exists) and then sleeps.
* ``fault_rate`` (with ``seed``): that share of requests to known endpoints
  gets a 503 envelope before processing.  ``reset_faults()`` clears the queues
  and sets ``fault_rate`` to 0; ``latency`` is kept.  ``pending_faults(path)``
  counts what is left.  Unknown paths never get faults.

Behaviour where the reference is silent (choices of this fake)
--------------------------------------------------------------
General

* HTTP status = body code, JSON body always (except injected faults).  The
  message comes from ``errors.CODES``; codes outside the table use the HTTP
  reason phrase.  Error envelopes carry ``status`` only.
* Any path other than ``POST /v1/<known endpoint>/json`` answers the 404
  envelope, including other methods (404, not 405) and the XML paths.
* Bodies that are not JSON, not an object, or lack an object ``request`` are
  400, before authentication.  A missing ``authentication`` block is 401.
  Bodies up to 64 MiB are read.
* ``page`` and ``rowCount`` accept ints and numeric strings; anything else
  is 400 (order ids: see get-report).  ``page`` < 1 is 464 on get-report,
  get-reports and get-blacklist; ``rowCount`` < 1 is 400 and above 1000 is
  clamped to 1000.
* Time is a :class:`FakeClock`: real wall time in Europe/Istanbul plus an
  offset that only grows.  All timestamps are Istanbul wall time.
* The server's own time is ``fake.account.now()``: the fake clock plus
  ``clock_skew`` seconds (a server clock off by tens of seconds; read on every
  call, so changing the option takes effect at once).  Everything the server
  stamps or compares with its wall time uses it: ``submitAt``/``sendAt`` and
  ``fake.account.orders[id].submitted_at``, schedules (a ``sendDateTime``
  the server has passed sends at once), cancel windows, delivery progression
  and events, order snapshots, get-reports' day boundaries (server days), the
  duplicate guard, and the default blocked-at, inbound and consent dates.  The
  rate bucket's monotonic clock is not skewed.

send-sms

* Validation order: 401 → 400 (no ``order`` object) → 450 → 454 → 453 → 452 →
  468/469/470 → 457 → 451 → 402 → rate limit → order created.
* Sender: exact, case- and whitespace-sensitive match; a missing, empty or
  non-string sender is 450 (not 459).  ``APITEST`` is always accepted, listed
  or not.  With APITEST the İYS checks are skipped (``iys`` is stored as
  ``"0"``), and every text is replaced by ``APITEST_TEXT``; 454/453 are still
  checked on the submitted text, while credits and reports use the substituted
  text.  APITEST sends are charged like any other (the live "free to your test
  number" rule is not modelled).
* ``message`` may be an object or a non-empty array of objects; missing text
  or message is 454, whitespace-only text is 454, a non-string text or a
  non-object message is 400.  453 when a text needs more than 7 parts as
  counted by :func:`iletimerkezi_async.text.segments`.
* ``receipents`` must be an object inside each message with a non-empty
  ``number`` list (a single string or int counts as a one-item list); anywhere
  else it is 452.  Any invalid number fails the whole order with 452, as do
  more than 50,000 numbers in total and a recipient set that is entirely
  blacklisted.  Numbers are Turkish mobiles in any spelling the SDK's
  ``normalize_number`` accepts (``+905…`` required; international only with
  ``abroad=True``); carrier prefixes are not checked here.  Duplicated numbers
  are kept: each listed number is one message.
* Blacklisted numbers among others are kept and end 112 (see below), unless
  ``drop_blacklisted=True`` (a server that drops blacklisted numbers from an
  order): then the order is stored without them, so its ``total``,
  get-report's messages, the ``price`` (and the 402 check), the snapshot's
  recipients and the delivery events cover only the others, each keeping its
  own text.  The duplicate guard and the rate limit still count the numbers
  as submitted, and an entirely blacklisted order is still 452.
* ``iys``: ``"0"``/``"1"``/``0``/``1``; missing or null is tolerated as ``"0"``
  (as the live backend does); anything else (``""``, ``"2"``, booleans) is 468.
  ``iys="1"`` needs ``iysList`` exactly ``BIREYSEL`` or ``TACIR`` (469), then
  ``iys_configured`` (470).  ``iysList`` is ignored when ``iys`` is ``"0"``.
* ``sendDateTime``: a string or a list of at most one string; missing, null,
  ``""``, ``[]`` and ``[""]`` send now.  ``dd/MM/yyyy HH:mm`` in Istanbul time
  schedules; an impossible date or any other format is 457.  With seconds
  (``dd/MM/yyyy HH:mm:ss``, a valid date) the schedule is dropped and the order
  is sent at once, recorded as ``schedule_dropped=True``.  A time not in the
  future sends at once.
* Duplicate guard (451): same whitespace-collapsed text(s) to the same
  recipient set (as (text, number) pairs, order-insensitive) within 600 s of
  fake-clock time since an accepted submission, scheduled or not.  APITEST
  orders are compared on the submitted text.  Refused requests do not arm the
  guard, and cancelling an order lifts its entry.
* Credits: each part of each recipient costs one SMS credit; 402 when the
  order would take ``sms_credits`` below zero.  The TL ``balance`` is never
  debited.  Undelivered messages are not refunded; a cancelled order is
  refunded in full.  The order's ``price`` is the credits it cost.
* Rate limit: a token bucket of recipients on ``time.monotonic()`` plus the
  clock offset (so ``advance`` refills it).  An order costs
  ``min(recipients, capacity)``: an order larger than the capacity passes when
  the bucket is full and drains it, so 50,000-recipient orders are possible.
  ``rate_limit_grace`` seconds of refill may be borrowed to absorb loopback
  jitter against a client-side bucket of the same rate.  A refused send gets
  the ``rate_limit_status`` envelope (503 by default, no ``Retry-After``), is
  not created, not charged and does not arm the duplicate guard.  Only
  send-sms is limited.
* Responses: ``order.id`` is a numeric string (ids increase from 100000001);
  legacy mode answers ``"code": "200"`` as a string on send-sms and
  cancel-order (errors too), and ``code`` stays an int elsewhere.

Progression, get-report, cancel-order

* Messages are 110 until ``sendAt + delivery_delay`` (the delay in force when
  the order was created), then 111, or 112 for numbers in ``undeliverable`` or
  on the blacklist when the order was submitted (unless ``drop_blacklisted``
  left them out).  An order is 113 while any message is 110, 114 when all
  are final, 115 once cancelled (its messages then read 112, counters
  undelivered = total, price 0).
* Historical orders (``add_order(s)``) stay at their status forever: 114 means
  all delivered, 113 all waiting, 115 all undelivered; their recipients are
  synthesised (``+9050…`` by index) and their ``price`` is one credit per
  recipient (0 for 115).  They cannot be cancelled.
* get-report before ``sendAt`` of a scheduled, uncancelled order is 456; a
  cancelled order reports 115.  Unknown ids and non-numeric id strings are
  455; a missing or non-scalar id is 400.  Counters cover the whole order;
  ``message`` holds the page's slice (``[]`` past the end).  Legacy shape:
  ``id`` int, ``price`` a comma-decimal string (``"2,0000"``), numbers as ints
  without ``+90``; the 2026 fields are kept.
* cancel-order succeeds only while now < ``sendAt`` (so never for an
  immediate order), answers a status-only envelope, and a second cancel is 455.

get-reports

* ``filter`` must be an object with strict ``Y-m-d`` ``start`` and ``end``,
  ``start <= end`` and ``end - start <= 10`` days (exactly 10 is accepted, 11
  is 458).  Days are Istanbul calendar days, ``end`` inclusive, matched on
  ``submitAt`` (server time, so with ``clock_skew`` an order sent just before
  midnight may belong to the server's next day).  ``filter.page`` wins over
  ``request.page``.
* Orders are sorted by ``submitAt`` then id, ``reports_page_size`` (30) per
  page; ``count`` is the number on this page, ``count: 0, orders: []`` past the
  end; ids are ints.  Legacy mode makes ``count`` a string.
* ``reports_delay`` (a replication lag in the order list): an order sent
  through send-sms is missing from get-reports until that many seconds of
  server time after its submission (the delay in force when it was sent);
  missing orders take no place on any page.  get-report finds it at once,
  and seeded orders (``add_order(s)``) are never delayed.

Balance, senders, blacklist

* get-balance: ``amount`` float and ``sms`` int; legacy: both strings.
* get-sender lists the configured senders in order (possibly empty).
* add-/delete-blacklist: a missing ``blacklist.number`` is 400.  A number is
  valid when it is a Turkish mobile whose three-digit operator prefix is one of
  500–509, 530–539, 540–549, 550–559 or 561 (``CARRIER_PREFIXES``); anything
  else, international numbers included, is 466.  add is idempotent and keeps
  the first blocked-at time; delete of an absent number is 474.
* get-blacklist: oldest block first, numbers with ``+90``.  ``filter.start`` /
  ``filter.end`` (``Y-m-d H:i:s``, either optional, inclusive) select on the
  blocked-at time; a bad format is 400.  ``count`` is the number of entries
  matching the filter (the account total without one), independent of
  pagination; past the end ``number`` is ``[]`` with that count.  Legacy mode
  makes ``count`` a string.

İYS

* consent/create: 403 without ``iys_subscription``; a missing ``consent``
  object is 400; a ``brandCode`` (int or numeric string) other than the
  account's is 422; ``list`` must hold 1–5000 items; one invalid item makes
  the whole batch 422 and nothing is stored.  Each item needs a recipient
  (Turkish mobile, stored as ``+905…``, or an e-mail, stored case-folded;
  ``EPOSTA`` requires an e-mail and the other types a phone),
  ``recipientType`` BIREYSEL/TACIR, ``type`` MESAJ/EPOSTA/ARAMA, ``status``
  ONAY/RET, a ``source`` from the HS_* list (all 13), and ``consentDate``
  ``Y-m-d H:i:s`` (TACIR may omit it: the registration time is stored).
  Records are keyed by (recipient, recipientType, type); the last write wins.
  Success is a status-only envelope.
* consent/show: 403 without subscription; a missing ``consent`` object is 400;
  an invalid recipient, recipientType or type is 422; a wrong ``brandCode`` is
  200 with ``consent: []``; an exact record is returned as an object with
  ``brandCode`` as int; no record at all for the recipient is 422; a TACIR /
  MESAJ query for a recipient with records but none of type TACIR is 200 with
  ``consent: []`` (the documented drift); any other missing combination is 422.

get-inbox

* Reading is non-destructive.  Messages are sorted oldest first by received
  time, then id; only the newest 1000 are returned while ``totalRows`` counts
  them all.  Every field is a string; ids increase from ``"1"``.  Inbound
  ``RET`` messages do not auto-blacklist anyone.

Delivery events and webhooks

* ``fake.account.collect_events()`` is the one place where the progression becomes events:
  it returns every :class:`DeliveryEvent` due since its last call, ``accepted``
  at ``sendAt`` then ``delivered``/``undelivered`` at the final time, one per
  message (``.payload()`` is the documented webhook body).  Cancelled and
  historical orders emit nothing.
* With ``webhook_url`` set (``fake.options.webhook_url = url`` works at any
  time), the running fake drains ``fake.account.collect_events()`` every
  ``webhook_interval=0.05`` s and POSTs each event as JSON to that URL, up to
  ``webhook_concurrency=100`` at a time, each with ``webhook_timeout=5.0`` s.
  A 5xx or a network error is retried ``webhook_retries=3`` times after
  ``webhook_retry_delay=0.05`` s doubling; a 4xx is final (the reference
  documents no policy, so this is the fake's choice).  ``webhook_duplicates``
  (a probability) posts an event a second time and ``webhook_reorder=True``
  shuffles each batch, so a receiver meets duplicates and finals before
  ``accepted``.  With ``legacy_types`` the ids are strings.
* ``await fake.deliver_webhooks()`` posts what is due now and waits for every
  POST in flight, returning :class:`WebhookDelivery` records (``.event``,
  ``.attempts``, ``.status``, ``.delivered``, ``.duplicate``);
  ``fake.webhook_deliveries`` lists them all.  Events of orders sent while no
  URL was set are posted once one is.
"""

from ._clock import VirtualClock
from ._fake import FakeIletiMerkezi
from ._fake_clock import FakeClock
from ._faults import MALFORM_KINDS
from ._models import ConsentRecord, DeliveryEvent, InboundRecord, OrderMessage, OrderSnapshot
from ._options import FakeOptions
from ._requests import RecordedRequest
from ._rules import APITEST_TEXT, CARRIER_PREFIXES, IYS_SOURCES
from ._state import Account
from ._webhook_sender import WebhookDelivery

__all__ = [
    "APITEST_TEXT",
    "CARRIER_PREFIXES",
    "IYS_SOURCES",
    "MALFORM_KINDS",
    "Account",
    "ConsentRecord",
    "DeliveryEvent",
    "FakeClock",
    "FakeIletiMerkezi",
    "FakeOptions",
    "InboundRecord",
    "OrderMessage",
    "OrderSnapshot",
    "RecordedRequest",
    "VirtualClock",
    "WebhookDelivery",
]
