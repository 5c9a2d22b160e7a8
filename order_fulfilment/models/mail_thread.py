from markupsafe import escape

from odoo import api, models
from odoo.tools import email_split, formataddr

# Context key: messages and notifications get a sender address even when the acting user has none.
SENDER_FALLBACK = "fulfilment_sender_fallback"


class MailThread(models.AbstractModel):
    """What the addon writes in chatters and activities.

    - It never depends on the e-mail address of the user who acts: factory staff often log in
      with a short name and no address. Their messages keep them as author; the notifications
      that go out by e-mail are sent from the author's name at the company's address.
    - It is written in the language of who reads it: internal notes in the language of the user
      who acts (the company's when automation acts), activities and notifications in the
      recipient's, customer messages in the customer's.

    Use ``records._fulfilment_with_sender(lang)`` before ``message_post``, ``message_notify`` or
    ``activity_schedule`` and write the texts with the environment of the records it returns
    (``record.env._(...)``); or ``records._fulfilment_post(body)`` for a message that may notify
    followers, ``records._fulfilment_log(body)`` for notes logged in one batch.
    """

    _inherit = "mail.thread"

    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        if not self.env.context.get(SENDER_FALLBACK):
            return super()._message_compute_author(author_id, email_from, raise_on_email=raise_on_email)
        author_id, email_from = super()._message_compute_author(author_id, email_from, raise_on_email=False)
        return author_id, email_from or self._fulfilment_fallback_email(author_id)

    @api.model
    def _fulfilment_fallback_email(self, author_id):
        """The author's name at the company's address (or its catchall, or the server's default
        sender, or at last the address Odoo's own system messages go out from: OdooBot's)."""
        company = self.env.company.sudo()
        address = (
            company.email_formatted
            or self.env["ir.mail_server"].sudo()._get_default_from_address()
            or self.env.ref("base.partner_root").sudo().email
        )
        emails = email_split(address or "")
        if not emails:
            return False
        author = self.env["res.partner"].sudo().browse(author_id) if author_id else company.partner_id
        return formataddr((author.name or company.name, emails[0]))

    @api.model
    def _fulfilment_note_lang(self):
        """The language of an internal note: the acting user's, or the company's when automation
        (the superuser, OdooBot) or a customer (portal, public user) acts."""
        user = self.env.user
        if user._is_superuser() or user.share or not user.lang:
            return self.env.company.partner_id.lang or user.lang or "en_US"
        return user.lang

    def _fulfilment_with_sender(self, lang=None):
        """These records, to write as the current user: their messages and notifications have a
        sender address whatever the user's, and their texts are in ``lang`` (default: the language
        of an internal note)."""
        return self.with_context(**{SENDER_FALLBACK: True, "lang": lang or self._fulfilment_note_lang()})

    def _fulfilment_post(self, body, lang=None, **kwargs):
        """Post a message on each record as the current user (an internal note by default).

        :param body: the text, or a function(record) returning it, called with the record in the
            reader's language (write it with ``record.env._``)
        :param lang: the reader's language; default: the language of an internal note
        :param kwargs: for ``message_post`` (``message_type``, ``subtype_xmlid``, ``partner_ids``...)
        :return: the messages
        """
        kwargs.setdefault("message_type", "notification")
        kwargs.setdefault("subtype_xmlid", "mail.mt_note")
        messages = self.env["mail.message"]
        for record in self._fulfilment_with_sender(lang):
            messages |= record.message_post(body=body(record) if callable(body) else body, **kwargs)
        return messages

    def _fulfilment_log(self, body, lang=None, **kwargs):
        """Log an internal note on each record in one batch, as the current user, notifying nobody.

        :param body: as for ``_fulfilment_post``
        :param kwargs: for ``_message_log_batch`` (``author_id``...)
        """
        records = self._fulfilment_with_sender(lang)
        bodies = {record.id: escape(body(record) if callable(body) else body) for record in records}
        return records._message_log_batch(bodies=bodies, **kwargs)

    def _fulfilment_todo(self, user_field, summary, note=None, activity_type="mail.mail_activity_data_todo"):
        """Schedule a to-do on each record for the user its ``user_field`` names (records without
        one get none), written in that user's language.

        :param summary: function(record) -> the title, called with the record in the user's
            language (write it with ``record.env._``)
        :param note: the same for the text, or None
        :param activity_type: xml id of the activity type
        """
        for record in self.filtered(user_field):
            user = record[user_field]
            to_do = record._fulfilment_with_sender(user.lang)
            to_do.activity_schedule(
                activity_type,
                user_id=user.id,
                summary=summary(to_do),
                note=note(to_do) if note else "",
            )
