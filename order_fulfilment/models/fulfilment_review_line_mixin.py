from odoo import api, models


class FulfilmentReviewLineMixin(models.AbstractModel):
    """Lines of a reviewed record (``fulfilment.review.mixin``), e.g. the lines of a quotation.

    Adding or removing a line, or changing one of the sub-fields the parent watches
    (``_review_watched_fields``), cancels the parent's open and approved sign-offs, whether the
    line is written through its parent or on its own. A line model opts in by naming its
    parent's field in ``_review_parent_field``. Section and note lines do not count.
    """

    _name = "fulfilment.review.line.mixin"
    _description = "Fulfilment Review Line Mixin"
    _review_parent_field = None

    def _review_parents(self):
        """The parents under review of these lines (section and note lines left out)."""
        lines = self.filtered(lambda line: not line._fields.get("display_type") or not line.display_type)
        return lines[self._review_parent_field]._review_under_review()

    @api.model
    def _review_line_fields(self):
        parent = self.env[self._fields[self._review_parent_field].comodel_name]
        for name, sub_fields in parent._review_watched_fields.items():
            if sub_fields and parent._fields[name].comodel_name == self._name:
                return sub_fields
        return ()

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        parents = lines._review_parents()
        if parents:
            parents._review_invalidate(lambda env: env._("a line was added after the review was requested"))
        return lines

    def write(self, vals):
        parents = (
            self[self._review_parent_field]._review_under_review()
            if set(vals) & set(self._review_line_fields())
            else None
        )
        before = parents._review_snapshot() if parents else {}
        result = super().write(vals)
        if parents:
            parents._review_invalidate_changed(before)
        return result

    def unlink(self):
        parents = self._review_parents()
        result = super().unlink()
        if parents:
            parents.exists()._review_invalidate(
                lambda env: env._("a line was removed after the review was requested")
            )
        return result
