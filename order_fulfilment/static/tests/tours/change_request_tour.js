import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";
import { openFulfilmentMenu } from "./tour_steps";

// Data (a confirmed order of 5 Flange kits, the approval rule, users) come from tests/test_tours.py.

registry.category("web_tour.tours").add("order_fulfilment_change_request", {
    steps: () => [
        {
            content: "Request a change of the confirmed order",
            trigger: ".o_form_statusbar button[name=action_request_change]",
            run: "click",
        },
        {
            content: "The unsaved request has no number yet",
            trigger: ".oe_title .o_field_widget[name=name]:contains(New)",
        },
        {
            content: "The request lists the order lines",
            trigger: ".o_field_widget[name=line_ids] .o_data_row td[name=sale_line_id]:contains(Flange kit)",
        },
        {
            content: "Write the reason",
            trigger: ".o_field_widget[name=reason] textarea",
            run: "edit The customer needs 8 kits",
        },
        {
            content: "Edit the new quantity",
            trigger: ".o_field_widget[name=line_ids] .o_data_row:first td[name=new_qty]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=line_ids] .o_selected_row .o_field_widget[name=new_qty] input",
            run: "edit 8",
        },
        {
            content: "Leave the line",
            trigger: ".o_form_view .oe_title",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=line_ids]:not(:has(.o_selected_row)) td[name=new_qty]:contains(8.00)",
        },
        ...stepUtils.saveForm(),
        {
            content: "The form says who must approve",
            trigger: ".alert-info:contains(These departments must approve):contains(Sales Director)",
        },
        {
            content: "Submit",
            trigger: ".o_form_statusbar button[name=action_submit]",
            run: "click",
        },
        {
            content: "The request is submitted",
            trigger: ".o_field_widget[name=state] .o_arrow_button_current:contains(Submitted)",
        },
        {
            trigger: ".o_form_statusbar:not(:has(button[name=action_submit]))",
        },
    ],
});

registry.category("web_tour.tours").add("order_fulfilment_change_request_approve", {
    steps: () => [
        ...openFulfilmentMenu(
            "order_fulfilment.fulfilment_change_request_menu",
            "Open the change requests"
        ),
        {
            trigger: ".o_data_row td[name=state]:contains(Submitted)",
            run: "click",
        },
        {
            content: "Approve",
            trigger: ".o_form_statusbar button[name=action_review_approve]",
            run: "click",
        },
        {
            content: "The request is approved",
            trigger: ".o_field_widget[name=state] .o_arrow_button_current:contains(Approved)",
        },
        {
            trigger: ".o_form_statusbar:not(:has(button[name=action_review_approve]))",
        },
    ],
});

registry.category("web_tour.tours").add("order_fulfilment_change_request_apply", {
    steps: () => [
        {
            content: "Apply the approved change to the order",
            trigger: ".o_form_statusbar button[name=action_apply]",
            run: "click",
        },
        {
            content: "The request is applied",
            trigger: ".o_field_widget[name=state] .o_arrow_button_current:contains(Applied)",
        },
        {
            content: "Show what changed",
            trigger: ".o_notebook a.nav-link:contains(Applied Changes)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=change_summary] td:contains(Flange kit)",
        },
    ],
});
