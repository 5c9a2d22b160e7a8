import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";
import { openMyPendingReviews } from "./tour_steps";

// Data (customer, products, review rule, users) come from tests/test_tours.py.

registry.category("web_tour.tours").add("order_fulfilment_review_request", {
    steps: () => [
        {
            content: "Create a quotation",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Select the customer",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Harbin Water",
        },
        {
            trigger: ".o-autocomplete--dropdown-menu a:contains(Harbin Water Works)",
            run: "click",
        },
        {
            content: "Add a product line",
            trigger: ".o_field_x2many_list_row_add a:contains(Add a product)",
            run: "click",
        },
        {
            trigger: ".o_selected_row div[name=product_template_id] input",
            run: "edit Centrifugal",
        },
        {
            trigger: ".o-autocomplete--dropdown-menu a:contains(Centrifugal pump)",
            run: "click",
        },
        {
            content: "The line is priced",
            trigger: ".o_selected_row .o_field_widget[name=price_subtotal]:contains(/1.000.00/)",
        },
        {
            content: "Leave the line",
            trigger: ".o_form_view .oe_title",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=order_line]:not(:has(.o_selected_row)) td:contains(Centrifugal pump)",
        },
        ...stepUtils.saveForm(),
        {
            content: "The form says which departments must sign",
            trigger: ".alert-info:contains(Review required before confirmation):contains(Production Reviewer)",
        },
        {
            content: "The quotation cannot be confirmed before the review",
            trigger: ".o_form_statusbar:not(:has(button[name=action_confirm]))",
        },
        {
            content: "Request the review",
            trigger: ".o_form_statusbar button[name=action_request_review]",
            run: "click",
        },
        {
            content: "The quotation is under review",
            trigger: ".o_field_widget[name=review_state] :contains(Under Review)",
        },
        {
            trigger: ".o_form_statusbar:not(:has(button[name=action_request_review]))",
        },
        {
            content: "The reviews are listed on the quotation",
            trigger: "button[name=action_view_reviews] .o_stat_value:contains(1)",
        },
    ],
});

registry.category("web_tour.tours").add("order_fulfilment_review_approve", {
    steps: () => [
        ...openMyPendingReviews("The review waits for my department"),
        {
            trigger: ".o_data_row td[name=department]:contains(Production Reviewer)",
            run: "click",
        },
        {
            content: "Approve",
            trigger: ".o_form_statusbar button[name=action_approve]",
            run: "click",
        },
        {
            content: "The review is approved",
            trigger: ".o_field_widget[name=state] .o_arrow_button_current:contains(Approved)",
        },
        {
            trigger: ".o_form_statusbar:not(:has(button[name=action_approve]))",
        },
        {
            content: "Open the quotation",
            trigger: "button[name=action_open_record]",
            run: "click",
        },
        {
            content: "The quotation shows the approval",
            trigger: ".o_form_view .o_field_widget[name=review_state] :contains(Approved)",
        },
    ],
});

registry.category("web_tour.tours").add("order_fulfilment_review_confirm", {
    steps: () => [
        {
            content: "The review is approved",
            trigger: ".o_field_widget[name=review_state] :contains(Approved)",
        },
        {
            content: "Confirm the order",
            trigger: ".o_form_statusbar button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The quotation is a sales order",
            trigger: ".o_field_widget[name=state] .o_arrow_button_current:contains(Sales Order)",
        },
    ],
});

// Forwarding (转交): the production reviewer forwards the review to an engineer with a note.
registry.category("web_tour.tours").add("order_fulfilment_review_forward", {
    steps: () => [
        ...openMyPendingReviews(),
        {
            content: "Open the production review",
            trigger: ".o_data_row td[name=department]:contains(Production Reviewer)",
            run: "click",
        },
        {
            content: "Forward it",
            trigger: ".o_form_statusbar button[name=action_open_forward_wizard]",
            run: "click",
        },
        {
            content: "Choose the engineer",
            trigger: ".modal .o_field_widget[name=user_id] input",
            run: "edit Tess",
        },
        {
            trigger: ".o-autocomplete--dropdown-menu a:contains(Tess Technical)",
            run: "click",
        },
        {
            content: "Say what to check",
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit Check the impeller drawing",
        },
        {
            trigger: ".modal button[name=action_forward]",
            run: "click",
        },
        {
            content: "The review shows who it was forwarded to",
            trigger: ".o_form_view .o_field_widget[name=forward_user_ids]:contains(Tess Technical)",
        },
        {
            content: "The department can still decide it",
            trigger: ".o_form_statusbar button[name=action_approve]",
        },
    ],
});

// The engineer finds the forwarded review in their inbox and approves the selection.
registry.category("web_tour.tours").add("order_fulfilment_review_forward_approve", {
    steps: () => [
        ...openMyPendingReviews(),
        {
            content: "The production review was forwarded to me",
            trigger:
                ".o_data_row:has(td[name=department]:contains(Production Reviewer))" +
                ":has(td[name=forward_user_ids]:contains(Tess Technical)) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Approve the selection",
            trigger: ".o_list_selection_container button[name=action_approve]",
            run: "click",
        },
        {
            content: "Nothing is left to decide",
            trigger: ".o_list_view:not(:has(.o_data_row))",
        },
    ],
});
