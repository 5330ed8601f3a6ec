/*
 * mneedle plot: figures (PNG and SVG) from plain arrays, and the HTML report of a plan.
 *
 * The figure functions take the caller's numbers as plain arrays and know nothing of the
 * models, so every subcommand can draw its own results with them. One look everywhere:
 * white background, DejaVu Sans, axes with units in their labels, "nice" ticks (1, 2, 2.5, 5
 * × 10^k), and the Okabe–Ito colour-blind-safe palette for series (Okabe M, Ito K. Color
 * Universal Design: how to make figures and presentations that are friendly to colorblind
 * people. 2008; also Wong B. Points of view: color blindness. Nat Methods 2011;8:441) and the
 * viridis sequential map for heat maps (van der Walt S, Smith N. mpl colormaps, 2015), which
 * stays ordered in lightness for every common colour-vision deficiency and in greyscale.
 *
 * Every figure can also hand back, through a second writer, the exact series it drew as CSV
 * ("the data sidecar": one row per drawn point with its data and pixel coordinates), so tests
 * and users can check the picture against the numbers.
 *
 * Figures are drawn with cairo; the functions are thread-safe for distinct contexts.
 *
 * Thread safety: one context per thread; the figure and report functions use no threads of
 * their own. mn_plot_global_cleanup() is the exception: call it alone, at exit.
 */
#ifndef MNEEDLE_PLOT_H
#define MNEEDLE_PLOT_H

#include "mneedle/core.h"
#include "mneedle/clinic.h"
#include "mneedle/healing.h"
#include "mneedle/transport.h"
#include "mneedle/sensitivity.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Declarations here are the exported API of libmneedle.so (CMakeLists.txt). */
#pragma GCC visibility push(default)

/** Image formats. mn_plot_format_from_path() picks one from a file name. */
typedef enum { MN_PLOT_PNG = 0, MN_PLOT_SVG = 1 } mn_plot_format;

/**
 * The format a file name asks for: ".png" or ".svg" (case-insensitive).
 * @return MN_OK; MN_EINVAL for another or no extension (message names the file).
 */
mn_status mn_plot_format_from_path(mn_ctx *ctx, const char *path, mn_plot_format *out);

/**
 * Releases the font caches that cairo and fontconfig keep for the whole process, so leak
 * checkers (ASan, valgrind) see only real leaks. Optional; call at most once, at exit, when no
 * thread is drawing. Drawing afterwards still works (the caches are rebuilt). Not thread-safe.
 */
void mn_plot_global_cleanup(void);

/** Number of colours in the series palette (Okabe–Ito without the yellow, which is too pale
 *  for lines on white, plus black). */
#define MN_PLOT_PALETTE_SIZE 7

/**
 * The palette colour @p index (taken modulo MN_PLOT_PALETTE_SIZE) as 0xRRGGBB. Series i is drawn
 * in colour i unless it asks for another. Thread-safe.
 */
unsigned mn_plot_palette(int index);

/** Default figure size in pixels (SVG: CSS pixels). */
#define MN_PLOT_DEFAULT_WIDTH  800
#define MN_PLOT_DEFAULT_HEIGHT 500
/** Figure sizes outside [MN_PLOT_MIN_SIZE, MN_PLOT_MAX_SIZE] are refused with MN_ERANGE. */
#define MN_PLOT_MIN_SIZE 200
#define MN_PLOT_MAX_SIZE 4000

#define MN_PLOT_MAX_SERIES 12

typedef enum {
    MN_LINE_SOLID = 0,
    MN_LINE_DASHED = 1,
    MN_LINE_DOTTED = 2,
    MN_LINE_POINTS = 3,      /* markers only, no line */
    MN_LINE_SOLID_POINTS = 4 /* line and markers */
} mn_line_style;

/** One series of a line chart. All arrays are borrowed for the duration of the call. */
typedef struct {
    const char *label;    /* legend text; NULL or "" leaves it out of the legend */
    const double *x;      /* n abscissae, in the x axis's unit; joined in the given order */
    const double *y;      /* n ordinates, in the y axis's unit */
    const double *y_low;  /* optional lower edge of a shaded band (NULL for none) */
    const double *y_high; /* optional upper edge; given together with y_low */
    int n;
    int colour; /* palette index; -1 = the series' own position */
    mn_line_style style;
} mn_plot_series;

/** A vertical marker across the plot area (a session, a maintenance visit, an endpoint). */
typedef enum { MN_MARK_SESSION = 0, MN_MARK_MAINTENANCE = 1, MN_MARK_EVENT = 2 } mn_mark_kind;

typedef struct {
    double x;
    const char *label; /* short text at the top of the line ("1", "M1"); may be NULL */
    mn_mark_kind kind;
} mn_plot_marker;

/** A labelled point ("back to baseline", "peak"), drawn as a ring with a callout. */
typedef struct {
    double x, y;
    const char *text;
} mn_plot_note;

/** A line chart. Initialise with mn_plot_chart_init(), then fill the fields. */
typedef struct {
    const char *title;
    const char *x_label;  /* with its unit: "days since the first session" */
    const char *y_label;  /* with its unit: "improvement (% of baseline severity)" */
    const char *footnote; /* small print under the plot ("Simulation, not a promise.") */
    int width_px, height_px;
    double x_min, x_max; /* x_min == x_max: from the data */
    double y_min, y_max; /* y_min == y_max: from the data (bands and notes included) */
    int y_zero_line;     /* 1: draw a thin line at y = 0 when it is inside the range */
    mn_plot_series series[MN_PLOT_MAX_SERIES];
    int n_series;
    const mn_plot_marker *markers;
    int n_markers;
    const mn_plot_note *notes;
    int n_notes;
} mn_plot_chart;

/** Sets defaults: 800×500, automatic ranges, no series. */
void mn_plot_chart_init(mn_plot_chart *chart);

/**
 * Draws a line chart to @p write in @p format. When @p data_write is not NULL, also writes the
 * drawn data as CSV with header `kind,series,index,x,y,px,py` (kind: line, band_low,
 * band_high, marker, note; px, py: where the point landed in the image, pixels from the top
 * left). Points outside the axis ranges are clipped in the image and still listed.
 * @return MN_OK; MN_EINVAL (NULL chart or writer, n < 0, NULL arrays with n > 0, a band with
 *         one edge); MN_ERANGE (size out of bounds, too many series, x_max < x_min, no finite
 *         point at all); MN_ENUMERIC (a non-finite value in a series); MN_EIO (a writer
 *         failed); MN_ENOMEM.
 */
mn_status mn_plot_chart_render(mn_ctx *ctx, const mn_plot_chart *chart, mn_plot_format format,
                               mn_writer write, void *userdata, mn_writer data_write,
                               void *data_userdata);

/**
 * Draws a chart to the file @p path (format from its extension), written atomically; when
 * @p data_path is not NULL, writes the CSV sidecar there too. Nothing is left behind on failure.
 * @return as mn_plot_chart_render(); MN_EIO when a file cannot be written.
 */
mn_status mn_plot_chart_save(mn_ctx *ctx, const mn_plot_chart *chart, const char *path,
                             const char *data_path);

/** A heat map of a regular grid (a puncture field seen from above, a concentration slice). */
typedef struct {
    const char *title;
    const char *x_label, *y_label; /* with units */
    const char *value_label;       /* colour bar label with unit: "concentration (µg/ml)" */
    const char *footnote;
    int width_px, height_px;
    const double *values; /* nx × ny, row-major: values[j * nx + i] is cell (i, j) */
    int nx, ny;
    double x0, x1; /* extent of the grid along x (cell i covers x0 + i·dx … x0 + (i+1)·dx) */
    double y0, y1; /* extent along y */
    int y_down;    /* 1: y grows downwards (depth into skin); 0: upwards */
    double v_min, v_max; /* equal: from the data */
    /* Optional overlay points (puncture centres), drawn as small white-edged dots. */
    const double *point_x, *point_y;
    int n_points;
    /* Optional threshold drawn as a tick on the colour bar (e.g. the effective concentration
     * that defines coverage); has_threshold = 0 for none. */
    int has_threshold;
    double threshold;
    const char *threshold_label;
} mn_plot_heatmap;

/** Defaults: 800×600, automatic value range, no overlay. */
void mn_plot_heatmap_init(mn_plot_heatmap *map);

/**
 * Draws a heat map. The CSV sidecar has header `kind,index,x,y,value,px,py` with one `cell` row
 * per grid cell (its centre) and one `point` row per overlay point (value empty).
 * @return as mn_plot_chart_render(); MN_EINVAL for nx or ny < 1 or NULL values; MN_ELIMIT for
 *         more than 4,000,000 cells (downsample first).
 */
mn_status mn_plot_heatmap_render(mn_ctx *ctx, const mn_plot_heatmap *map, mn_plot_format format,
                                 mn_writer write, void *userdata, mn_writer data_write,
                                 void *data_userdata);

/** Heat map to a file; see mn_plot_chart_save(). */
mn_status mn_plot_heatmap_save(mn_ctx *ctx, const mn_plot_heatmap *map, const char *path,
                               const char *data_path);

/** One group of samples for a distribution plot (e.g. improvement at one endpoint). */
typedef struct {
    const char *label; /* under the group: "day 90" */
    const double *values;
    int n;
} mn_plot_group;

typedef enum { MN_DIST_VIOLIN = 0, MN_DIST_HISTOGRAM = 1 } mn_dist_style;

#define MN_PLOT_MAX_GROUPS 24

/**
 * Distributions side by side: violins (a Gaussian kernel density with Silverman's bandwidth,
 * mirrored, with a box from the 25th to the 75th percentile, the median as a white bar and
 * whiskers from the 5th to the 95th), or histograms overlaid as outlined steps.
 */
typedef struct {
    const char *title;
    const char *x_label; /* violin: what the groups are ("endpoint"); histogram: the value axis */
    const char *y_label; /* violin: the value axis with unit; histogram: "patients (%)" */
    const char *footnote;
    int width_px, height_px;
    mn_dist_style style;
    int bins; /* histogram: number of bins (0 = 20) */
    mn_plot_group groups[MN_PLOT_MAX_GROUPS];
    int n_groups;
    int has_threshold; /* a reference line at a value (e.g. the responder cut at 50 %) */
    double threshold;
    const char *threshold_label;
} mn_plot_dist;

/** Defaults: 800×500, violins, no groups. */
void mn_plot_dist_init(mn_plot_dist *dist);

/**
 * Draws distributions. The CSV sidecar has header `kind,group,index,x,y,px,py`: for violins one
 * row each for p5, p25, p50, p75, p95 and mean (kind = that name, x = group index, y = the
 * statistic, percentiles by linear interpolation between order statistics); for histograms one
 * `bin` row per bin (x = bin centre, y = percentage of the group in the bin).
 * @return as mn_plot_chart_render(); MN_ERANGE for a group with no finite value.
 */
mn_status mn_plot_dist_render(mn_ctx *ctx, const mn_plot_dist *dist, mn_plot_format format,
                              mn_writer write, void *userdata, mn_writer data_write,
                              void *data_userdata);

/** Distributions to a file; see mn_plot_chart_save(). */
mn_status mn_plot_dist_save(mn_ctx *ctx, const mn_plot_dist *dist, const char *path,
                            const char *data_path);

/**
 * Percentile @p p (0–100) of @p n sorted values by the program's one rule, Hyndman–Fan type 7
 * (linear between the order statistics at p (n - 1) / 100, R's default): the first at p = 0,
 * the last at p = 100; the rule of the cohort's percentiles (`mneedle cohort`), whose figure
 * uses it, and of every other range the program reports. Returns NAN for n < 1.
 */
double mn_plot_percentile_sorted(const double *sorted, int n, double p);

/*
 * Standard figures of the other subcommands, from plain arrays (so the plot layer never
 * depends on the models). Each *_save() writes into an existing directory, for every figure
 * STEM it draws, STEM.png, STEM.svg and STEM.csv (the drawn data, as mn_plot_chart_render()
 * and friends describe). Arrays are borrowed for the call. Figures whose inputs are NULL or
 * empty are left out. Thread-safety as for the figure functions.
 * @return MN_OK; MN_EINVAL (NULL arguments, @p dir not a directory, inconsistent counts);
 *         otherwise as mn_plot_chart_save().
 */

/** Results of `simulate` for one zone: treated skin against its untreated twin. */
typedef struct {
    const double *day; /* n report days, days since the first session */
    int n;
    const double *improvement_pct;     /* treated; with the untreated twin as 0 */
    const double *improvement_low_pct; /* optional band (both or neither) */
    const double *improvement_high_pct;
    const double *collagen_change_pct;      /* treated, vs day 0 (NULL: no collagen figure) */
    const double *twin_collagen_change_pct; /* untreated twin, vs day 0 (optional) */
    const double *erythema;                 /* 0–1 (NULL: no erythema figure) */
    const double *session_day;              /* course sessions */
    int n_sessions;
    const double *maintenance_day; /* maintenance visits */
    int n_maintenance;
    double peak_day;             /* < 0: not labelled */
    double back_to_baseline_day; /* < 0: not reached, not labelled */
} mn_plot_healing;

/**
 * Checks, writing nothing, what every function here that writes figures into a directory
 * checks before it draws: @p dir is an existing directory, its name leaves room for the
 * figures' names, and files can be created in it. For a program with several outputs, to
 * refuse a bad one before it writes any.
 * @return MN_OK; MN_EINVAL (NULL or empty, missing, not a directory, name too long: the
 *         message names it); MN_EIO when no file can be created there (the reason given).
 */
mn_status mn_plot_dir_check(mn_ctx *ctx, const char *dir);

/**
 * Writes improvement (treated vs untreated twin, sessions and maintenance marked, peak and
 * "back to baseline" labelled), collagen (treated vs twin) and erythema over the first week
 * after the first session (days 0–7): STEMs "improvement", "collagen", "erythema".
 */
mn_status mn_plot_healing_save(mn_ctx *ctx, const mn_plot_healing *h, const char *dir);

/** Results of `absorb`. */
typedef struct {
    const double *hour; /* n sample times (h) */
    int n;
    const double *delivered_ug_cm2; /* through needled skin */
    const double *intact_ug_cm2;    /* intact skin, same dose (optional) */
    /* Concentration against depth at chosen hours (optional): n_profiles curves on n_depth
     * depths, row-major profile[k * n_depth + i] at profile_hour[k]. */
    const double *depth_um;
    int n_depth;
    const double *profile;
    const double *profile_hour;
    int n_profiles;
    const char *concentration_unit; /* "µg/ml" when NULL */
    /* Puncture field seen from above (optional): centres in µm on a field_w × field_h patch,
     * drawn over a coverage map of channel discs of channel_radius_um (1 inside a channel, 0
     * outside), so the figure shows where the skin is open. */
    const double *puncture_x_um, *puncture_y_um;
    int n_punctures;
    double field_w_um, field_h_um, channel_radius_um;
    /* A vertical slice of the 3D concentration (`--field`, optional): slice_nx × slice_nz,
     * row-major slice[k * slice_nx + i] at depth k, over slice_w_um × slice_depth_um. */
    const double *slice;
    int slice_nx, slice_nz;
    double slice_w_um, slice_depth_um;
    double effective_concentration; /* marked on the colour bar when > 0 */
} mn_plot_absorb;

/**
 * Writes "delivery" (delivered amount against time, needled vs intact), "depth_profile"
 * (concentration against depth at each chosen hour), "field" (top view of the punctures and
 * the open area; the sidecar lists each puncture) and "slice" (concentration slice).
 */
mn_status mn_plot_absorb_save(mn_ctx *ctx, const mn_plot_absorb *a, const char *dir);

/** Results of `cohort`. */
typedef struct {
    const double *endpoint_day; /* n_endpoints days */
    int n_endpoints;
    const double *improvement_pct; /* n_endpoints × n_patients, row-major per endpoint */
    int n_patients;
    const double *responder_fraction; /* per endpoint, 0–1 (optional) */
    double responder_threshold_pct;   /* the responder cut (e.g. 50) */
} mn_plot_cohort;

/**
 * Writes "improvement_distribution" (a violin per endpoint, the responder cut drawn) and
 * "responders" (responder rate in % against the endpoint day).
 */
mn_status mn_plot_cohort_save(mn_ctx *ctx, const mn_plot_cohort *c, const char *dir);

/*
 * The figures of a model's result, assembled from it for the *_save() functions above: what
 * `simulate --plot` and `absorb --plot` write. Same files, same thread-safety.
 */

/**
 * Writes the figures of a simulated scenario into @p dir with mn_plot_healing_save(): the
 * typical person's daily curves (and, when @p band_draws > 0, the 10th-90th percentile band
 * of @p band_draws virtual people drawn with @p seed, as mn_healing_band()) from day 0 to the
 * horizon, or on to the return to baseline when @p summary found it after the horizon, with
 * no further session, so the figure can label it; the sessions; the first maintenance visit
 * of @p maintenance (M1) when it falls inside; the peak and the return to baseline.
 * @param opts        the integrator options of the run, or NULL for the defaults.
 * @param summary     the run's summary (mn_healing_run()).
 * @param maintenance the model's maintenance (mn_healing_maintenance()), or NULL.
 * @return MN_OK; MN_EINVAL (NULL @p sc or @p summary, @p band_draws < 0, @p dir not a
 *         directory); MN_ENOMEM; errors of mn_healing_run() and mn_healing_band(); otherwise
 *         as mn_plot_healing_save().
 */
mn_status mn_healing_plot(mn_ctx *ctx, const mn_healing_scenario *sc,
                          const mn_healing_options *opts, const mn_healing_summary *summary,
                          const mn_healing_projection *maintenance, int band_draws, uint64_t seed,
                          const char *dir);

/**
 * Writes the figures of an absorb run into @p dir with mn_plot_absorb_save(): delivered
 * amount against time, needled and intact; the depth profile at up to six report hours spread
 * over the run (always the last); the punctures from above (the 3D run's field, or for the
 * unit cell a field sampled by mn_puncture_field_generate() with the scenario's seed on a
 * 5 x 5 mm patch); and, after the 3D solver, a vertical slice through the middle of the patch
 * with the coverage threshold marked.
 * @return MN_OK; MN_EINVAL (NULL arguments, @p dir not a directory); MN_ENOMEM; errors of
 *         mn_puncture_field_generate(); otherwise as mn_plot_absorb_save().
 */
mn_status mn_absorb_plot(mn_ctx *ctx, const mn_absorb_scenario *s, const mn_absorb_result *r,
                         const char *dir);

/*
 * Plans: figures and the HTML report. These read an mn_plan (clinic.h) and call the figure
 * functions above; nothing in the figure layer depends on them.
 */

/**
 * Writes the plan's figures into the directory @p dir:
 *   - zones.svg: the face (and body) diagram with each treated zone's number and starting
 *     needle depth; every zone dot carries data-zone, data-depth-start-mm and
 *     data-depth-max-mm attributes with the plan's numbers;
 *   - projection.png, projection.svg and projection.csv (the drawn series, see
 *     mn_plot_chart_render()), only when the plan has projection samples: improvement over
 *     time with its uncertainty band, each session and maintenance visit marked, the peak and
 *     any return to baseline labelled, and the note that it is a simulation.
 * Each file is written atomically.
 * @return MN_OK; MN_EINVAL (NULL arguments, or @p dir not an existing directory: the message
 *         names it); MN_EIO when a file cannot be written; else as mn_plot_chart_save().
 */
mn_status mn_plan_plot(mn_ctx *ctx, const mn_plan *plan, const char *dir);

/**
 * Writes the plan as one self-contained HTML page (styles inline, figures embedded as data:
 * URIs or inline SVG, no reference to anything outside the file): the client and the
 * screening, zones and depths on a face/body diagram, the session calendar, the projection
 * figure with a plain-language answer to "how long will it last?" and its uncertainty, the
 * cost, risk notes, and the aftercare as a printable sheet (it starts on a new page when
 * printed). Every projection is labelled as a simulation, not a promise.
 * Output depends only on the plan (no clock), so the same plan gives the same bytes.
 * @return MN_OK; MN_EINVAL for NULL arguments; MN_ENOMEM; MN_EIO if the writer fails; errors
 *         of mn_plot_chart_render() for the figure.
 */
mn_status mn_plan_report_html(mn_ctx *ctx, const mn_plan *plan, mn_writer write, void *userdata);

/**
 * Saves the report to @p path, atomically, in the format its extension names:
 *   - ".html" or ".htm": the page of mn_plan_report_html();
 *   - ".pdf": that page printed by WeasyPrint (the `weasyprint` program of the Debian package
 *     of that name, an HTML/CSS-to-PDF engine, no browser), run from PATH with its messages
 *     kept off the terminal; A4, the aftercare sheet on its own page.
 * Not thread-safe for PDF only in that it runs a child process (independent calls are fine).
 * @return MN_OK; MN_EINVAL (NULL arguments or another extension); MN_EUNSUPPORTED when a PDF is
 *         asked for and weasyprint is not installed (message says how to get it); MN_EIO (a
 *         file cannot be written, or weasyprint failed: its first message is quoted); errors of
 *         mn_plan_report_html().
 */
mn_status mn_plan_report_save(mn_ctx *ctx, const mn_plan *plan, const char *path);

/**
 * Checks, writing nothing, what mn_plan_report_save() checks before it writes: @p path ends in
 * .html, .htm or .pdf, and a file can be created where it names. (Whether WeasyPrint is
 * installed is found only when a PDF is printed.)
 * @return MN_OK; MN_EINVAL (NULL or another extension); MN_EIO when no file can be created
 *         there (the reason given).
 */
mn_status mn_plan_report_check(mn_ctx *ctx, const char *path);

/**
 * The figure of a sensitivity SPEC's results (`mneedle sensitivity --plot`): a panel per
 * output with paired bars, S1 and ST for each input, and their bootstrap intervals as
 * whiskers, on one index axis shared by the panels. Written atomically to @p path (.png or
 * .svg, by its extension).
 * @return MN_OK; MN_EINVAL (NULL or an empty result, an unknown extension); MN_ELIMIT (too
 *         many outputs for one figure); MN_EIO; MN_ENOMEM.
 */
mn_status mn_sens_plot_save(mn_ctx *ctx, const mn_sens_result *res, const char *path);

#ifdef __cplusplus
}
#endif
#pragma GCC visibility pop
#endif
