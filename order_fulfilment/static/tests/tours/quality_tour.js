import { registry } from "@web/core/registry";
import { openFulfilmentMenu } from "./tour_steps";

// Data (a pump order with its manufacturing order, the final-inspection control point and the
// people) come from tests/test_tours_quality.py. Each tour is one person's part of the story:
// the MO is done, the inspection fails an item, the delivery is refused, the concession is
// proposed and approved, then the delivery ships.

registry.category("web_tour.tours").add("order_fulfilment_quality_mo_done", {
    steps: () => [
        {
            content: "Produce the pump",
            trigger: ".o_form_view .o_form_statusbar button[name=button_mark_done]",
            run: "click",
        },
        {
            content: "The manufacturing order is done",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Done)",
        },
        {
            content: "Its inspection waits: the smart button says so",
            trigger: ".o_form_view button[name=action_fulfilment_view_quality_checks]:contains(1 to do)",
        },
    ],
});

registry.category("web_tour.tours").add("order_fulfilment_quality_inspect", {
    steps: () => [
        ...openFulfilmentMenu(
            "order_fulfilment.fulfilment_quality_check_line_menu_tablet",
            "Open the inspector's list"
        ),
        {
            content: "Fail the pressure test",
            trigger: ".o_data_row:has(td[name=name]:contains(Pressure test)) button[name=action_fulfilment_fail]",
            run: "click",
        },
        {
            content: "The item is failed",
            trigger: ".o_data_row:has(td[name=name]:contains(Pressure test)) td[name=result]:contains(Fail)",
        },
        {
            content: "Pass the nameplate",
            trigger: ".o_data_row:has(td[name=name]:contains(Nameplate)) button[name=action_fulfilment_pass]",
            run: "click",
        },
        {
            content: "The item is passed",
            trigger: ".o_data_row:has(td[name=name]:contains(Nameplate)) td[name=result]:contains(Pass)",
        },
        {
            content: "Select the inspection's items",
            trigger: ".o_list_view thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Finish the inspection",
            trigger: ".o_control_panel button[name=action_fulfilment_finish]",
            run: "click",
        },
        {
            content: "Nothing is left to inspect",
            trigger: ".o_view_nocontent, .o_list_view:not(:has(.o_data_row))",
        },
    ],
});

registry.category("web_tour.tours").add("order_fulfilment_quality_delivery_refused", {
    steps: () => [
        {
            content: "Validate the delivery",
            trigger: ".o_form_view .o_form_statusbar button[name=button_validate]",
            run: "click",
        },
        {
            content: "Refused: the goods are held by the failed inspection",
            trigger: ".modal .modal-body:contains(held by quality inspection):contains(QC/)",
        },
        {
            content: "Close the message",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The delivery is still to ship",
            trigger: ".o_form_view .o_form_statusbar button[name=button_validate]",
        },
    ],
});

registry.category("web_tour.tours").add("order_fulfilment_quality_concession", {
    steps: () => [
        ...openFulfilmentMenu("order_fulfilment.fulfilment_nonconformity_menu", "Open the nonconformities"),
        {
            content: "Open the nonconformity of the pump",
            trigger: ".o_kanban_record:contains(Centrifugal pump)",
            run: "click",
        },
        {
            content: "Accept the goods as they are: concession",
            trigger: ".o_field_widget[name=disposition] input[data-value=concession]",
            run: "click",
        },
        {
            content: "Decide",
            trigger: ".o_form_statusbar button[name=action_decide]",
            run: "click",
        },
        {
            content: "The concession waits for its sign-off",
            trigger: ".o_form_view .o_field_widget[name=review_state]:contains(Under Review)",
        },
    ],
});

registry.category("web_tour.tours").add("order_fulfilment_quality_concession_approve", {
    steps: () => [
        ...openFulfilmentMenu("order_fulfilment.fulfilment_review_menu", "Open the reviews"),
        {
            content: "Approve the concession",
            trigger: ".o_data_row button[name=action_approve]",
            run: "click",
        },
        {
            content: "Nothing is left to decide",
            trigger: ".o_list_view:not(:has(.o_data_row button[name=action_approve]))",
        },
    ],
});

registry.category("web_tour.tours").add("order_fulfilment_quality_delivery_ships", {
    steps: () => [
        {
            content: "Validate the delivery",
            trigger: ".o_form_view .o_form_statusbar button[name=button_validate]",
            run: "click",
        },
        {
            content: "The delivery is done",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Done)",
        },
    ],
});
