/*
 * The aftercare sheet at the end of the report, on a page of its own when printed: a grid of
 * what to do and what to avoid, one row per item with a tick on each day from the treatment day
 * to day 7 (and "later" when it goes on), then what is normal to expect, and the red flags that
 * should make the client call the clinic.
 */
#include "report/html_internal.h"

#define SHEET_DAYS 8 /* day 0 (treatment) to day 7 */

/* The days an item holds, in words. */
static void day_range(mn__buf *b, int from, int to)
{
    if (from == 0 && to == 0)
        mn__html_put(b, "treatment day");
    else if (from == to)
        mn__buf_printf(b, "day %d", from);
    else if (from == 0)
        mn__buf_printf(b, "treatment day to day %d", to);
    else
        mn__buf_printf(b, "days %d–%d", from, to);
}

/* An item's text, with the days it holds in italics after it when @p with_days. */
static void item_text(mn__buf *b, const mn_plan_aftercare *a, int with_days)
{
    mn__html_esc(b, a->item->text);
    if (!with_days)
        return;
    if (a->ongoing) {
        mn__html_put(b, " <i>(every day, all through the course and after it)</i>");
        return;
    }
    mn__html_put(b, " <i>(");
    day_range(b, a->day_from, a->day_to);
    mn__html_put(b, ")</i>");
}

/* The grid rows of one kind of item under a heading row. */
static void grid_group(mn__buf *b, const mn_plan *plan, mn_aftercare_kind kind, const char *title,
                       const char *cls)
{
    mn__buf_printf(b, "<tr><th colspan=\"%d\">%s</th></tr>", SHEET_DAYS + 2, title);
    for (int i = 0; i < plan->n_aftercare; i++) {
        const mn_plan_aftercare *a = &plan->aftercare[i];
        if (!a->item || a->item->kind != kind)
            continue;
        mn__html_put(b, "<tr><td class=\"what\"><span class=\"tick\"></span>");
        item_text(b, a, 1);
        mn__html_put(b, "</td>");
        for (int d = 0; d < SHEET_DAYS; d++) {
            int on = d >= a->day_from && (a->ongoing || d <= a->day_to);
            mn__buf_printf(b, "<td class=\"%s%s\">%s</td>", cls, on ? " on" : "",
                           on ? "&#10003;" : "");
        }
        mn__buf_printf(b, "<td class=\"%s%s\"></td></tr>", cls,
                       a->ongoing || a->day_to >= SHEET_DAYS ? " on" : "");
    }
}

static void grid(mn__buf *b, const mn_plan *plan)
{
    mn__html_put(b, "<table class=\"grid\"><tr><th class=\"what\">What</th>");
    for (int d = 0; d < SHEET_DAYS; d++)
        mn__buf_printf(b, "<th>%s%d</th>", d == 0 ? "Day " : "", d);
    mn__html_put(b, "<th>later</th></tr>");
    grid_group(b, plan, MN_AFTERCARE_DO, "Do", "do");
    grid_group(b, plan, MN_AFTERCARE_AVOID, "Avoid", "avoid");
    mn__html_put(b, "</table>");
}

/* A bulleted list of the items of one kind between @p open and @p close; nothing at all when
 * the plan has none of that kind. */
static void item_list(mn__buf *b, const mn_plan *plan, mn_aftercare_kind kind, const char *open,
                      const char *close, int with_days)
{
    int any = 0;
    for (int i = 0; i < plan->n_aftercare; i++) {
        const mn_plan_aftercare *a = &plan->aftercare[i];
        if (!a->item || a->item->kind != kind)
            continue;
        if (!any)
            mn__html_put(b, open);
        any = 1;
        mn__html_put(b, "<li>");
        item_text(b, a, with_days);
        mn__html_put(b, "</li>");
    }
    if (any)
        mn__html_put(b, close);
}

void mn__html_aftercare(mn__buf *b, const mn_plan *plan)
{
    mn__html_put(b, "<section class=\"sheet\"><h2>Aftercare sheet</h2><p>Keep this page. Day 0 "
                    "is the day of each treatment; follow it again after every session.");
    if (plan->client.name[0]) {
        mn__html_put(b, " For: <b>");
        mn__html_esc(b, plan->client.name);
        mn__html_put(b, "</b>.");
    }
    mn__html_put(b, "</p>");
    grid(b, plan);
    item_list(b, plan, MN_AFTERCARE_EXPECT, "<h3>What is normal</h3><ul>", "</ul>", 1);
    item_list(b, plan, MN_AFTERCARE_RED_FLAG,
              "<div class=\"flags\"><h3>Call the clinic if</h3><ul>", "</ul></div>", 0);
    mn__html_call_us(b, plan, "Worried about anything after a session?");
    mn__html_put(b, "</section>");
}
