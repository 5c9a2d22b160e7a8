"""The review engine: the review status of open records refreshed in the background after a
rule change (a scheduled action in batches; the web client reads the live status meanwhile)."""

from odoo import api, models


class FulfilmentReviewMixin(models.AbstractModel):
    _inherit = "fulfilment.review.mixin"

    # ------------------------------------------------------------------
    # Refresh after a rule change, in the background
    # ------------------------------------------------------------------
    # Saving a rule must not recompute thousands of open records in the admin's request: it
    # marks each reviewed model (a parameter holding the last id done, "0" at first) and a
    # scheduled action recomputes them in batches. Until it has reached a record, reading it
    # in the web client shows its live status (nothing written), and the confirmation gate
    # always reads the rules.
    @api.model
    def _review_refresh_key(self):
        return f"order_fulfilment.review_refresh.{self._name}"

    @api.model
    def _review_refresh_start(self):
        self.env["ir.config_parameter"].sudo().set_param(self._review_refresh_key(), "0")

    @api.model
    def _review_refresh_batch(self, limit):
        """Recompute the next ``limit`` open records; returns (done, more)."""
        params = self.env["ir.config_parameter"].sudo()
        start = params.get_param(self._review_refresh_key())
        if not start:
            return 0, False
        records = self.sudo().search(
            self._review_open_domain() + [("id", ">", int(start))], order="id", limit=limit
        )
        records._review_recompute_state()
        more = len(records) == limit
        params.set_param(self._review_refresh_key(), str(records[-1].id) if more else False)
        return len(records), more

    def _review_stale(self):
        """These records the scheduled action has not recomputed yet (as superuser)."""
        start = self.env["ir.config_parameter"].sudo().get_param(self._review_refresh_key())
        if not start or not self.ids:
            return self.sudo().browse()
        return (
            self.sudo()
            .browse(self.ids)
            .filtered_domain(self._review_open_domain() + [("id", ">", int(start))])
        )

    def web_read(self, specification):
        # Reads write nothing (the web client reads in a read-only transaction): the status of
        # a record still to refresh is computed for the answer, and stored by the scheduled action.
        result = super().web_read(specification)
        stale = self._review_stale() if "review_state" in specification else None
        if stale:
            live = stale._review_live_state()
            states = {record.id: live[record][0] for record in stale}
            for values in result:
                if values["id"] in states:
                    values["review_state"] = states[values["id"]]
        return result
