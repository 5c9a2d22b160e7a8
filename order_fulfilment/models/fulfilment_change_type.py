from odoo import api, fields, models


class FulfilmentChangeType(models.Model):
    """The change types review rules can name (``change_types``).

    The ``change_type`` selection of change requests is the one list of change types: a record
    per value (external id ``order_fulfilment.change_type_<value>``) is created and kept in sync
    from it at every install and update of the module (``_sync_from_selection``).
    """

    _name = "fulfilment.change.type"
    _description = "Change Request Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="The change_type value of change requests of this type.")
    sequence = fields.Integer(default=10)

    _sql_constraints = [("code_unique", "UNIQUE(code)", "Each change type code must be unique.")]

    @api.model
    def _selection(self):
        """[(code, label)] of the change types, in their order: the ``change_type`` selection."""
        return self.env["fulfilment.change.request"]._fields["change_type"].selection

    @api.model
    def _sync_from_selection(self):
        """One record per change type of the selection, named and ordered like it. Run by the
        module's data at install and update; a record whose value left the selection is removed
        with its external id at the end of the update, like any record the data no longer has."""
        self._load_records(
            [
                {
                    "xml_id": f"order_fulfilment.change_type_{code}",
                    "values": {"name": label, "code": code, "sequence": 10 * index},
                    "noupdate": False,
                }
                for index, (code, label) in enumerate(self._selection(), start=1)
            ],
            update=True,
        )
