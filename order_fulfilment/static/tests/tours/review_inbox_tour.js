import { registry } from "@web/core/registry";
import { openMyPendingReviews } from "./tour_steps";

// Data (quotations SO-INBOX-A and SO-INBOX-B, the rules, the reviewer) come from
// tests/test_tours_inbox.py.

const rowOf = (order, group) =>
    `.o_data_row:has(td[name=order_id]:contains(${order})):has(td[name=department]:contains(${group}))`;

registry.category("web_tour.tours").add("order_fulfilment_review_inbox", {
    steps: () => [
        ...openMyPendingReviews("The inbox is the default filter"),
        {
            content: "Only the production review of SO-INBOX-A waits for me",
            trigger:
                ".o_list_view .o_data_row:only:has(td[name=order_id]:contains(SO-INBOX-A))" +
                ":has(td[name=department]:contains(Production Reviewer))",
        },
        {
            content: "Approve it from the list",
            trigger: `${rowOf("SO-INBOX-A", "Production Reviewer")} button[name=action_approve]`,
            run: "click",
        },
        {
            content: "Nothing is left to decide",
            trigger: ".o_list_view:not(:has(.o_data_row))",
        },
        {
            content: "Show all the reviews I can see",
            trigger: ".o_searchview_facet:contains(My Pending Reviews) .o_facet_remove",
            run: "click",
        },
        {
            content: "My approval is recorded",
            trigger: `${rowOf("SO-INBOX-A", "Production Reviewer")} td[name=state]:contains(Approved)`,
        },
        {
            content: "Another department's review says why it is not mine",
            trigger: `${rowOf("SO-INBOX-A", "Technical Reviewer")} td[name=cannot_decide_reason]:contains(Only members of)`,
        },
        {
            trigger: `${rowOf("SO-INBOX-A", "Technical Reviewer")}:not(:has(button[name=action_approve]))`,
        },
        {
            content: "The review of my own order says why I cannot sign it",
            trigger: `${rowOf("SO-INBOX-B", "Production Reviewer")} td[name=cannot_decide_reason]:contains(are its salesperson)`,
        },
        {
            trigger: `${rowOf("SO-INBOX-B", "Production Reviewer")}:not(:has(button[name=action_approve]))`,
        },
        {
            content: "Open it",
            trigger: `${rowOf("SO-INBOX-B", "Production Reviewer")} td[name=department]`,
            run: "click",
        },
        {
            content: "The form explains it too, and offers no decision",
            trigger: ".o_form_view .alert-info:contains(another member of Production Reviewer must sign)",
        },
        {
            trigger: ".o_form_statusbar:not(:has(button[name=action_approve]))",
        },
    ],
});
