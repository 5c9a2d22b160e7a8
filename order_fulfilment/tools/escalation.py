"""Escalate once: the one mechanism behind overdue reviews, unanswered change requests and
breached ticket deadlines.

A scheduled action or an automation rule may run on the same records again, in two workers at
once: each record is escalated a single time. Its boolean flag is set in the same transaction as
the note and the activities, on rows locked with SKIP LOCKED, so a second pass finds it set.
"""

from odoo import fields

from .orm import lock_rows


def claim_once(records, flag, due_domain):
    """The records of ``records`` to escalate now, their ``flag`` set.

    :param flag: the name of the boolean field that says a record was escalated
    :param due_domain: what makes a record due (e.g. its deadline has passed)
    :return: the claimed records, as superuser; a record another transaction holds is left to it
    """
    locked = lock_rows(records.sudo(), skip_locked=True)
    claimed = locked.filtered_domain([*due_domain, (flag, "=", False)])
    if claimed:
        claimed.write({flag: True})
    return claimed


def notify_escalation(
    records,
    users,
    message,
    summary,
    activity_type="mail.mail_activity_data_todo",
    activity_on=None,
    post_on=None,
    notify_followers=True,
):
    """Tell ``users`` about escalated ``records``: a note in the chatter, and an activity for each
    user of the record's company, written in that user's language.

    :param users: res.users to tell (inactive and portal users are left out)
    :param message: function(record) -> the text of the note and of the activity, called with the
        record in the reader's language (write it with ``record.env._``)
    :param summary: function(record) -> the activity's title, the same way
    :param activity_type: xml id of the activity type
    :param activity_on: function(record) -> the record that gets the activities (default: itself)
    :param post_on: function(record) -> the records whose chatter gets the note (default: the
        activity's record)
    :param notify_followers: post the note as a message (followers get it) rather than log it
    """
    if not records:
        return
    env = records.env
    activity_on = activity_on or (lambda record: record)
    post_on = post_on or activity_on
    users = users.sudo().filtered(lambda user: user.active and not user.share)
    activity_type = env.ref(activity_type, raise_if_not_found=False)
    values = []
    model_ids = {}
    notes = []
    for record in records.sudo():
        target = activity_on(record)
        if not target:
            continue
        notes += [(thread, record) for thread in post_on(record)]
        if target._name not in model_ids:
            model_ids[target._name] = env["ir.model"]._get_id(target._name)
        for user in users.filtered(lambda u, record=record: record.company_id in u.company_ids):
            in_lang = record.with_context(lang=user.lang)
            values.append(
                {
                    "activity_type_id": activity_type.id if activity_type else False,
                    "res_model_id": model_ids[target._name],
                    "res_id": target.id,
                    "user_id": user.id,
                    "date_deadline": fields.Date.context_today(record),
                    "summary": summary(in_lang),
                    "note": message(in_lang),
                }
            )
    _write_notes(notes, message, notify_followers)
    if values:
        env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(values)


def _write_notes(notes, message, notify_followers):
    """Write ``message(record)`` in the chatter of each (thread, record) of ``notes``: one batch
    per model when the notes are only logged and no thread gets two."""
    by_model = {}
    for thread, record in notes:
        by_model.setdefault(thread._name, []).append((thread, record))
    for pairs in by_model.values():
        threads = pairs[0][0].browse([thread.id for thread, _record in pairs])
        if not notify_followers and len(set(threads.ids)) == len(pairs):
            record_by_thread = {thread.id: record for thread, record in pairs}
            threads._fulfilment_log(
                lambda thread, record_by_thread=record_by_thread: message(
                    record_by_thread[thread.id].with_env(thread.env)
                )
            )
            continue
        for thread, record in pairs:
            body = lambda thread, record=record: message(record.with_env(thread.env))
            if notify_followers:
                thread._fulfilment_post(body)
            else:
                thread._fulfilment_log(body)


def escalate_once(records, flag, due_domain, users, message, summary, **kwargs):
    """Claim the due records of ``records`` (``claim_once``) and tell ``users`` (``notify_escalation``).

    :return: the records escalated by this call
    """
    claimed = claim_once(records, flag, due_domain)
    notify_escalation(claimed, users, message, summary, **kwargs)
    return claimed
