import { registry } from "@web/core/registry";
import { openFulfilmentMenu } from "./tour_steps";

// Data (two confirmed orders waiting for payment, the finance user) come from
// tests/test_tours_finance.py.

registry.category("web_tour.tours").add("order_fulfilment_finance_release", {
    steps: () => [
        ...openFulfilmentMenu(
            "order_fulfilment.sale_order_menu_waiting_payment",
            "Open the orders waiting for payment"
        ),
        {
            content: "The list shows what the customer still owes",
            trigger: ".o_data_row:contains(Dalian Irrigation) td[name=fulfilment_amount_due]:contains(500.00)",
        },
        {
            content: "Open the order",
            trigger: ".o_data_row:contains(Dalian Irrigation) td[name=partner_id]",
            run: "click",
        },
        {
            content: "The order waits for payment",
            trigger: ".o_form_view .o_field_widget[name=delivery_released] input:not(:checked)",
        },
        {
            content: "Release the delivery",
            trigger: ".o_form_statusbar button[name=action_release_delivery]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The delivery is released",
            trigger: ".o_form_view .o_field_widget[name=delivery_released] input:checked",
        },
        {
            trigger: ".o_form_statusbar:not(:has(button[name=action_release_delivery]))",
        },
        {
            content: "Back to the list",
            trigger: ".o_breadcrumb .o_back_button a, .o_breadcrumb a:contains(Waiting for Payment)",
            run: "click",
        },
        {
            content: "The released order left the list",
            trigger: ".o_list_view:not(:has(.o_data_row:contains(Dalian Irrigation)))",
        },
        {
            content: "Select the other order",
            trigger: ".o_data_row:contains(Changchun Building) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Release the selected orders",
            trigger: ".o_control_panel button[name=action_release_delivery]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "No order waits any more",
            trigger: ".o_view_nocontent, .o_list_view:not(:has(.o_data_row))",
        },
    ],
});
