from odoo import models


class IrModuleModule(models.Model):
    """Inspection lines copy their checklist item's name in every language it has when they are
    created. A language installed later (or terms loaded again) translates the items: their
    inspection lines get the languages they lack too."""

    _inherit = "ir.module.module"

    def _load_module_terms(self, modules, langs, overwrite=False, imported_module=False):
        res = super()._load_module_terms(modules, langs, overwrite=overwrite, imported_module=imported_module)
        if "order_fulfilment" in modules and "fulfilment.quality.check.line" in self.env:
            self.env["fulfilment.quality.check.line"]._fulfilment_fill_item_translations()
        return res
