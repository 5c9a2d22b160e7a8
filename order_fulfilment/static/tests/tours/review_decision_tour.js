import { registry } from "@web/core/registry";

// The page of the Approve link of a review e-mail, on a phone-sized card. Data (the quotation
// SO-MAIL-TOUR, its production review, the reviewer) come from tests/test_review_decision_link.py.

registry.category("web_tour.tours").add("order_fulfilment_review_decision", {
    steps: () => [
        {
            content: "The page names the quotation and the department",
            trigger: ".o_fulfilment_review_decision h1:contains(SO-MAIL-TOUR)",
        },
        {
            content: "It shows the customer",
            trigger: ".o_fulfilment_review_facts dd:contains(Harbin Water Works)",
        },
        {
            content: "and the line the rule looked at",
            trigger: ".o_fulfilment_review_decision .list-group-item:contains(Centrifugal pump)",
        },
        {
            content: "Confirm the approval",
            trigger: ".o_fulfilment_review_decision_form button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The page says it is done",
            trigger: ".o_fulfilment_review_refusal[data-refusal=decided]:contains(You approved)",
        },
        {
            content: "and offers the review in Odoo, without a form to decide again",
            trigger: ".o_fulfilment_review_decision:not(:has(form)) a.btn:contains(Open the review in Odoo)",
        },
    ],
});
