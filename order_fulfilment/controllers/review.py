from werkzeug.urls import url_encode

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import request


class FulfilmentReviewDecision(http.Controller):
    """The page the Approve and Reject links of the review e-mail open.

    It needs a logged-in user (Odoo sends others to the login page and back), checks that the
    link is this user's and still good (``fulfilment.review._decision_link_refusal``), shows the
    facts and asks for confirmation, and a reason to reject. The decision is the reviewer's own
    ``action_approve`` / ``action_reject``, with all their checks.
    """

    @http.route(
        "/fulfilment/review/<int:review_id>/<any(approve,reject):decision>",
        type="http",
        auth="user",
        methods=["GET", "POST"],
        sitemap=False,
    )
    def fulfilment_review_decision(self, review_id, decision, user=None, expires=None, token=None, **post):
        env = request.env
        review = env["fulfilment.review"].browse(review_id)
        link = {"user": user, "expires": expires, "token": token}
        values = {
            "review": review.sudo().exists(),
            "decision": decision,
            "link": link,
            "action_url": f"/fulfilment/review/{review_id}/{decision}",
            "switch_url": "/fulfilment/review/{}/{}?{}".format(
                review_id, "reject" if decision == "approve" else "approve", url_encode(link)
            ),
            "backend_url": f"/odoo/fulfilment.review/{review_id}",
            "reason": post.get("reason") or "",
            "error": False,
            "refusal": False,
            "refusal_code": False,
            "facts": {},
        }
        refusal = review._decision_link_refusal(env.user, user, expires, token)
        if refusal:
            values["refusal_code"], values["refusal"] = refusal
            return self._render(values)
        if request.httprequest.method == "POST":
            try:
                with env.cr.savepoint():
                    review._decide_from_link(decision, values["reason"])
            except (UserError, AccessError) as error:
                values["error"] = error.args[0]
            else:
                # Shown by the link itself from now on: "you approved ..." (a reload decides nothing).
                return request.redirect(f"{values['action_url']}?{url_encode(link)}", code=303)
        values["facts"] = review._decision_facts(env.user)
        return self._render(values)

    def _render(self, values):
        return request.render("order_fulfilment.review_decision_page", values)
