"""Escalate once: the one mechanism behind overdue reviews, unanswered change requests and
breached ticket deadlines.

A scheduled action or an automation rule may run on the same records again, in two workers at
once: each record is escalated a single time. Its boolean flag is set in the same transaction as
the note and the activities, on rows locked with SKIP LOCKED, so a second pass finds it set.
"""

from collections import defaultdict

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
    activity_type_id = activity_type.id if activity_type else False
    records = records.sudo()
    today = fields.Date.context_today(records[:1])
    model_ids = {}
    users_by_company = {}
    targets = defaultdict(list)  # model -> ids of the records that get activities
    values = []
    notes = []
    for record in records:
        target = activity_on(record)
        if not target:
            continue
        notes += [(thread, record) for thread in post_on(record)]
        if target._name not in model_ids:
            model_ids[target._name] = env["ir.model"]._get_id(target._name)
        company = record.company_id
        if company not in users_by_company:
            users_by_company[company] = users.filtered(lambda u, company=company: company in u.company_ids)
        company_users = users_by_company[company]
        if company_users:
            targets[target._name].append(target.id)
        for user in company_users:
            in_lang = record.with_context(lang=user.lang)
            values.append(
                {
                    "activity_type_id": activity_type_id,
                    "res_model_id": model_ids[target._name],
                    "res_id": target.id,
                    "user_id": user.id,
                    "user_tz": user.tz,
                    "date_deadline": today,
                    "summary": summary(in_lang),
                    "note": message(in_lang),
                }
            )
    _write_notes(notes, message, notify_followers)
    if values:
        Activity = env["mail.activity"].sudo().with_context(mail_activity_quick_update=True)
        # The activities' stored computed fields (the name of their record, the user's time zone,
        # no done date) are given as their computation sets them, and computed at once while the
        # names are in the cache: the rows are inserted complete, with no UPDATE afterwards and no
        # read of the records one at a time. The names are read in one query per model.
        names = {
            model: {record.id: record.display_name for record in Activity.env[model].browse(ids)}
            for model, ids in targets.items()
        }
        model_names = {model_id: model for model, model_id in model_ids.items()}
        for vals in values:
            vals["res_name"] = names[model_names[vals["res_model_id"]]][vals["res_id"]]
            vals["date_done"] = False
        Activity.create(values).flush_recordset(["res_name", "date_done", "user_tz"])


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
