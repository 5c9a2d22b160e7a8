"""Mechanisms shared by the addon's models: row locks, batched scheduled actions, the flush
before an analysis report's query, and the status of a saved record shown in an unsaved form."""

from odoo import api, fields
from odoo.tools import SQL


def lock_rows(records, skip_locked=False):
    """Lock the rows of ``records`` (FOR UPDATE, in id order so two callers never deadlock).

    Concurrent transactions that try the same records wait for this one to end, then see its
    result. With ``skip_locked`` the rows another transaction holds are left out instead.
    :return: the records that are locked now, still existing, their cache dropped
    """
    if not records.ids:
        return records
    records.flush_recordset()
    records.env.cr.execute(
        SQL(
            "SELECT id FROM %s WHERE id IN %s ORDER BY id FOR UPDATE%s",
            SQL.identifier(records._table),
            tuple(records.ids),
            SQL(" SKIP LOCKED") if skip_locked else SQL(),
        ),
        # A lock conflict that Odoo retries (serialization) is not an error worth a log line.
        log_exceptions=False,
    )
    locked = {row[0] for row in records.env.cr.fetchall()}
    # What another transaction committed before the lock is read afresh.
    records.invalidate_recordset()
    return records.filtered(lambda r: r.id in locked)


def run_batches(env, batch, batch_size):
    """Run ``batch(batch_size) -> (done, more)`` the way Odoo 18 runs long scheduled actions.

    In a scheduled action (``ir.cron`` passes its progress in the context) one batch runs and
    reports its progress: Odoo commits and calls again while more remains, so several cron
    workers or servers can share the work. Called directly (a button, a test, a script), every
    batch runs in the caller's transaction.
    :return: how many records were done
    """
    in_cron = bool(env.context.get("ir_cron_progress_id"))
    total = 0
    while True:
        done, more = batch(batch_size)
        total += done
        if in_cron:
            env["ir.cron"]._notify_progress(done=done, remaining=1 if more else 0)
            return total
        if not more or not done:
            return total


def flush_sql(env, fields_by_model):
    """An empty SQL that makes the ORM flush the source fields before a report's query runs.

    :param fields_by_model: {model name: [the names of the fields the query reads]}
    """
    return SQL().join(
        SQL(to_flush=env[model]._fields[name]) for model, names in fields_by_model.items() for name in names
    )


def saved_state_field(model_name, help_text):
    """The "Current Status" of a ``model_name`` record: the ``state`` of the saved record, also
    in an unsaved form that lists it (a change request), where the copy of the record computes
    its own status ("Draft"). The selection is read from ``model_name`` itself, so that a related
    field on another model offers the same values.

    The model computes it with ``_compute_fulfilment_current_state = compute_saved_state``.
    """
    return fields.Selection(
        selection=lambda self: self.env[model_name]._fields["state"].selection,
        string="Current Status",
        compute="_compute_fulfilment_current_state",
        help=help_text,
    )


@api.depends("state")
def compute_saved_state(records):
    """Compute method of :func:`saved_state_field`: the status of the record itself."""
    for record in records:
        record.fulfilment_current_state = (record._origin or record).state
