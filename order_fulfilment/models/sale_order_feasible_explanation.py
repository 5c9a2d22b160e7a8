import pytz
from markupsafe import Markup, escape

from odoo import api, models
from odoo.tools import float_is_zero, format_date


class SaleOrder(models.Model):
    """The explanation of the earliest feasible date (最早可交货日期): what sets it, line by line,
    in words and in a table, in the reader's language."""

    _inherit = "sale.order"

    # ------------------------------------------------------------------
    # Explanation
    # ------------------------------------------------------------------
    def _fulfilment_feasible_result(self, planned, plant, tz, earliest, delayed):
        if any(line["date"] is None for line in planned):
            date = None
            setter = next(line for line in planned if line["date"] is None)
        elif planned:
            setter = max(planned, key=lambda line: line["date"])
            date = setter["date"]
        else:
            setter, date = None, earliest
        for line in planned:
            line["reason"] = self._fulfilment_line_sentence(line, plant, tz)
        explanation = []
        if setter and date:
            explanation.append(
                self.env._(
                    "Earliest feasible date %(date)s, set by line %(line)s.",
                    date=self._fulfilment_format_date(date, tz),
                    line=setter["line_index"],
                )
            )
        elif setter:
            explanation.append(
                self.env._(
                    "No feasible date can be given: line %(line)s cannot be supplied.",
                    line=setter["line_index"],
                )
            )
        else:
            explanation.append(
                self.env._(
                    "Nothing to make or deliver: ships %(date)s.",
                    date=self._fulfilment_format_date(date, tz),
                )
            )
        explanation += [line["reason"] for line in planned]
        if delayed:
            explanation.append(
                self.env._(
                    "Rush order: planned ahead of the work of %(orders)s, which it would delay.",
                    orders=", ".join(delayed),
                )
            )
        return {
            "date": date,
            "lines": planned,
            "delayed": delayed,
            "explanation": "\n".join(explanation),
            "table": self._fulfilment_feasible_html(planned, plant, tz),
        }

    @api.model
    def _fulfilment_local_day(self, date, tz):
        """The calendar day in ``tz`` of a naive UTC datetime."""
        return pytz.utc.localize(date).astimezone(pytz.timezone(tz)).date()

    def _fulfilment_format_date(self, date, tz):
        if not date:
            return self.env._("unknown")
        local = self._fulfilment_local_day(date, tz)
        # One explanation formats the same few days many times: format each once.
        cache = self.env.cr.cache.setdefault("fulfilment_feasible_dates", {})
        key = (local, self.env.lang)
        if key not in cache:
            cache[key] = format_date(self.env, local)
        return cache[key]

    @api.model
    def _fulfilment_qty(self, qty):
        return f"{qty:g}" if not float_is_zero(qty - round(qty), precision_digits=6) else str(round(qty))

    def _fulfilment_product_name(self, plant, product_id):
        # Read as the plant (work centres are not every reader's), in the reader's language.
        return plant.products[product_id].display_name

    def _fulfilment_workcenter_name(self, plant, workcenter_id):
        return plant.workcenters[workcenter_id].display_name

    def _fulfilment_cause_phrases(self, cause, plant, tz, top=False, part=False):
        """Phrases from the root cause up to this quantity, in the reader's language. ``top``:
        the line's own quantity; ``part``: one part of a quantity supplied in parts."""
        if not cause:
            return []
        _ = self.env._
        kind = cause["kind"]
        fmt = self._fulfilment_format_date
        name = self._fulfilment_product_name(plant, cause["product_id"]) if "product_id" in cause else ""
        missing = self._fulfilment_qty(cause.get("missing", cause.get("qty", 0.0)))
        phrases = []
        if top and cause.get("from_stock"):
            phrases.append(_("%(qty)s from stock", qty=self._fulfilment_qty(cause["from_stock"])))
        if kind == "stock":
            if top:
                phrases.append(_("in stock"))
        elif kind == "receipt":
            phrases.append(
                _(
                    "%(qty)s × %(product)s arrive with a receipt on %(date)s",
                    qty=missing,
                    product=name,
                    date=fmt(cause["date"], tz),
                )
            )
        elif kind == "vendor":
            values = {"qty": missing, "product": name, "days": cause["days"], "date": fmt(cause["date"], tz)}
            if cause["days"] == 1:
                phrases.append(
                    _("%(qty)s × %(product)s come from the vendor in %(days)s day (%(date)s)", **values)
                )
            else:
                phrases.append(
                    _("%(qty)s × %(product)s come from the vendor in %(days)s days (%(date)s)", **values)
                )
        elif kind == "shortage":
            phrases.append(
                _(
                    "%(qty)s × %(product)s short: no stock, receipt, bill of materials or vendor",
                    qty=missing,
                    product=name,
                )
            )
        elif kind == "no_slot":
            phrases.append(
                _(
                    "no free time for %(operation)s on %(workcenter)s within 700 days",
                    operation=cause["operation"],
                    workcenter=self._fulfilment_workcenter_name(plant, cause["workcenter_id"])
                    if cause["workcenter_id"]
                    else "",
                )
            )
        elif kind == "workcenter":
            phrases.append(
                _(
                    "%(workcenter)s is booked until %(date)s",
                    workcenter=self._fulfilment_workcenter_name(plant, cause["workcenter_id"]),
                    date=fmt(cause["booked_until"], tz),
                )
            )
        elif kind == "kit":
            phrases += self._fulfilment_cause_phrases(cause.get("driver"), plant, tz)
        elif kind == "make":
            phrases += self._fulfilment_make_phrases(cause, plant, tz, top, name, missing, part)
        elif kind == "parts":
            # Receipts for what they cover, then made or bought for the rest.
            for each in cause["parts"]:
                phrases += self._fulfilment_cause_phrases(each, plant, tz, part=True)
        return phrases

    def _fulfilment_make_phrases(self, cause, plant, tz, top, name, missing, part=False):
        _ = self.env._
        phrases = self._fulfilment_cause_phrases(cause.get("driver"), plant, tz)
        steps = cause.get("steps") or []
        work = ""
        if steps:
            days = cause.get("days", 0)
            operations = ", ".join(dict.fromkeys(step["operation"] for step in steps))
            if days == 1:
                work = _("%(days)s working day of %(operations)s", days=days, operations=operations)
            else:
                work = _("%(days)s working days of %(operations)s", days=days, operations=operations)
        elif cause.get("produce_delay") == 1:
            work = _("%(days)s day of manufacturing lead time", days=1)
        elif cause.get("produce_delay"):
            work = _("%(days)s days of manufacturing lead time", days=cause["produce_delay"])
        if part and cause.get("date"):
            # A part of the quantity: say how much is made, and by when.
            date = self._fulfilment_format_date(cause["date"], tz)
            if work:
                phrases.append(
                    _(
                        "%(qty)s × %(product)s made by %(date)s (%(work)s)",
                        qty=missing,
                        product=name,
                        date=date,
                        work=work,
                    )
                )
            else:
                phrases.append(
                    _("%(qty)s × %(product)s made by %(date)s", qty=missing, product=name, date=date)
                )
        elif top and work:
            phrases.append(work)
        elif top and not phrases:
            phrases.append(_("made from the components at hand"))
        elif steps and not top:
            phrases.append(
                _(
                    "%(qty)s × %(product)s made by %(date)s (%(work)s)",
                    qty=missing,
                    product=name,
                    date=self._fulfilment_format_date(max(step["stop"] for step in steps), tz),
                    work=work,
                )
            )
        return phrases

    def _fulfilment_line_sentence(self, line, plant, tz):
        phrases = self._fulfilment_cause_phrases(line["cause"], plant, tz, top=True)
        if line["date"]:
            phrases.append(self.env._("ships %(date)s", date=self._fulfilment_format_date(line["date"], tz)))
        else:
            phrases.append(self.env._("no date can be given"))
        return self.env._(
            "Line %(line)s, %(qty)s × %(product)s: %(reasons)s",
            line=line["line_index"],
            qty=self._fulfilment_qty(line["qty"]),
            product=self._fulfilment_product_name(plant, line["product"].id),
            reasons="; ".join(phrases),
        )

    def _fulfilment_root_cause(self, cause):
        while cause and cause["kind"] in ("make", "kit", "parts") and cause.get("driver"):
            cause = cause["driver"]
        return cause

    def _fulfilment_feasible_html(self, planned, plant, tz):
        _ = self.env._
        labels = {
            "stock": _("Stock"),
            "receipt": _("Incoming receipt"),
            "vendor": _("Vendor lead time"),
            "shortage": _("Stock shortage"),
            "no_slot": _("No capacity"),
            "workcenter": _("Work centre load"),
            "make": _("Manufacturing time"),
            "kit": _("Stock"),
        }
        headers = [_("Line"), _("Product"), _("Quantity"), _("Ready"), _("Ships"), _("Set by"), _("Detail")]
        rows = []
        for line in planned:
            root = self._fulfilment_root_cause(line["cause"])
            detail = ""
            if root["kind"] == "workcenter":
                detail = _(
                    "%(workcenter)s booked until %(date)s",
                    workcenter=self._fulfilment_workcenter_name(plant, root["workcenter_id"]),
                    date=self._fulfilment_format_date(root["booked_until"], tz),
                )
            elif root["kind"] in ("receipt", "vendor", "shortage"):
                detail = _(
                    "%(qty)s × %(product)s",
                    qty=self._fulfilment_qty(root.get("missing", 0.0)),
                    product=self._fulfilment_product_name(plant, root["product_id"]),
                )
            elif root["kind"] == "make":
                detail = ", ".join(
                    dict.fromkeys(
                        self._fulfilment_workcenter_name(plant, step["workcenter_id"])
                        for step in root.get("steps") or []
                    )
                )
            cells = [
                line["line_index"],
                self._fulfilment_product_name(plant, line["product"].id),
                self._fulfilment_qty(line["qty"]),
                self._fulfilment_format_date(line["ready"], tz),
                self._fulfilment_format_date(line["date"], tz),
                labels.get(root["kind"], ""),
                detail,
            ]
            rows.append(
                Markup("<tr>%s</tr>") % Markup("").join(Markup("<td>%s</td>") % escape(c) for c in cells)
            )
        head = Markup("").join(Markup("<th>%s</th>") % h for h in headers)
        return Markup(
            '<table class="table table-sm o_fulfilment_feasible">'
            "<thead><tr>%s</tr></thead><tbody>%s</tbody></table>"
        ) % (head, Markup("").join(rows))
