"""After-sales by e-mail: the after-sales address of each company (a mail alias), set by admins in
the settings. New e-mails to it become tickets of that company (``fulfilment.ticket.message_new``)."""

from odoo import api, fields, models
from odoo.exceptions import UserError


class ResCompany(models.Model):
    _inherit = "res.company"

    fulfilment_aftersales_alias_id = fields.Many2one(
        "mail.alias",
        "After-sales Alias",
        copy=False,
        ondelete="set null",
        help="New e-mails to this address become after-sales tickets of the company.",
    )

    def _fulfilment_set_aftersales_alias(self, alias_name):
        """Create, rename or clear (empty name) the company's after-sales alias."""
        self.ensure_one()
        alias = self.sudo().fulfilment_aftersales_alias_id
        if not alias_name:
            if alias:
                alias.alias_name = False
            return alias
        if not self.alias_domain_id:
            raise UserError(
                self.env._(
                    "%(company)s has no alias domain: set the e-mail domain of the company's aliases "
                    "(Settings > General Settings > Alias Domain) before its after-sales address.",
                    company=self.name,
                )
            )
        if alias:
            alias.write({"alias_name": alias_name, "alias_domain_id": self.alias_domain_id.id})
            return alias
        IrModel = self.env["ir.model"]
        alias = (
            self.env["mail.alias"]
            .sudo()
            .create(
                {
                    "alias_name": alias_name,
                    "alias_domain_id": self.alias_domain_id.id,
                    "alias_model_id": IrModel._get_id("fulfilment.ticket"),
                    "alias_defaults": repr({"company_id": self.id}),
                    "alias_contact": "everyone",
                    "alias_parent_model_id": IrModel._get_id("res.company"),
                    "alias_parent_thread_id": self.id,
                }
            )
        )
        self.sudo().fulfilment_aftersales_alias_id = alias
        return alias


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    fulfilment_aftersales_alias_name = fields.Char(
        "After-sales E-mail",
        compute="_compute_fulfilment_aftersales_alias_name",
        store=True,
        readonly=False,
        help="Local part of the after-sales address: new e-mails to it become tickets.",
    )
    fulfilment_aftersales_alias_domain = fields.Char(
        "After-sales E-mail Domain", related="company_id.alias_domain_name"
    )

    @api.depends("company_id")
    def _compute_fulfilment_aftersales_alias_name(self):
        for settings in self:
            alias = settings.company_id.sudo().fulfilment_aftersales_alias_id
            settings.fulfilment_aftersales_alias_name = alias.alias_name or False

    def set_values(self):
        result = super().set_values()
        for settings in self:
            current = settings.company_id.sudo().fulfilment_aftersales_alias_id.alias_name or False
            wanted = settings.fulfilment_aftersales_alias_name or False
            if wanted != current:
                settings.company_id._fulfilment_set_aftersales_alias(wanted)
        return result
