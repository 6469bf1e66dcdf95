"""sms_webhook: Twilio's inbound-message webhook (public). Verify, store, enqueue, answer fast."""

import logging

import functions_framework
from google.api_core.exceptions import GoogleAPIError
from werkzeug.exceptions import RequestEntityTooLarge

from nudge.conversation.inbound import handle_inbound_sms
from nudge.logs import configure_logging
from nudge.models import utcnow
from nudge.queue.client import default_task_queue
from nudge.settings import get_settings
from nudge.sms.webhook import InboundSms, InvalidWebhook, verify_signature
from nudge.store import Store
from nudge.web import MAX_BODY_BYTES, error_response, twiml_response

configure_logging()
log = logging.getLogger("nudge.sms_webhook")


@functions_framework.http
def sms_webhook(request):
    if request.method != "POST":
        return error_response(405, "POST only")
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return error_response(413, "body too large")
    request.max_content_length = MAX_BODY_BYTES  # also bounds chunked bodies
    try:
        form = request.form.to_dict()
    except RequestEntityTooLarge:
        return error_response(413, "body too large")

    settings = get_settings()
    token = settings.twilio_auth_token.get_secret_value() if settings.twilio_auth_token else ""
    if not verify_signature(
        token,
        settings.public_base_url,
        request.full_path,
        form,
        request.headers.get("X-Twilio-Signature"),
        received_url=request.url,
    ):
        return error_response(403, "invalid signature")
    try:
        sms = InboundSms.from_form(form)
    except InvalidWebhook as exc:
        return error_response(400, str(exc))

    try:
        result = handle_inbound_sms(
            sms, store=Store.default(), queue=default_task_queue(), settings=settings, now=utcnow()
        )
    except GoogleAPIError:
        # Store or queue unavailable: nothing was lost (the MessageSid was released), and a
        # retry (Twilio's fallback or `#rc=` retry) is processed normally.
        log.exception("inbound text %s not processed", sms.message_sid)
        return error_response(503, "temporarily unavailable, retry")
    return twiml_response(result.twiml_reply)
