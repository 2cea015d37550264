package i18n

// The messages of webhooks (R21), billing periods (R25) and configured cancellation windows
// (R26), in both languages; init adds them to the catalogs.

var enWebhooks = map[string]string{
	"window.days":            "%s-day",
	"window.hours":           "%s-hour",
	"window.len.days.one":    "%s day",
	"window.len.days.other":  "%s days",
	"window.len.hours.one":   "%s hour",
	"window.len.hours.other": "%s hours",
	"cancel.window_rule":     "Cancellation window (%s): %s from the purchase.",
	"cancel.no_fee":          "No early termination fee applies inside the cancellation window.",
}

var huWebhooks = map[string]string{
	"window.days":            "%s napos",
	"window.hours":           "%s órás",
	"window.len.days.one":    "%s nap",
	"window.len.days.other":  "%s nap",
	"window.len.hours.one":   "%s óra",
	"window.len.hours.other": "%s óra",
	"cancel.window_rule":     "Lemondási időszak (%s): a vásárlástól számított %s.",
	"cancel.no_fee":          "A lemondási időszakon belül nincs korai megszüntetési díj.",
}

func init() {
	for k, v := range enWebhooks {
		en[k] = v
	}
	for k, v := range huWebhooks {
		hu[k] = v
	}
}
