import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Steps the tours share.

/**
 * Open Sales, the Fulfilment menu, then its entry `menuXmlid`.
 *
 * @param {string} menuXmlid the menu entry, e.g. "order_fulfilment.fulfilment_review_menu"
 * @param {string} content what the last step says
 */
export const openFulfilmentMenu = (menuXmlid, content) => [
    ...stepUtils.goToAppSteps("sale.sale_menu_root", "Open Sales"),
    {
        content: "Open the Fulfilment menu",
        trigger: ".o_main_navbar button[data-menu-xmlid='order_fulfilment.fulfilment_menu_root']",
        run: "click",
    },
    {
        content,
        trigger: `.dropdown-item[data-menu-xmlid='${menuXmlid}']`,
        run: "click",
    },
];

/**
 * Open Fulfilment > Reviews: the list opens on the reviews waiting for me (My Pending Reviews).
 *
 * @param {string} [content] what the step checking the filter says
 */
export const openMyPendingReviews = (content) => [
    ...openFulfilmentMenu("order_fulfilment.fulfilment_review_menu", "Open the reviews"),
    {
        ...(content && { content }),
        trigger: ".o_facet_value:contains(My Pending Reviews)",
    },
];
