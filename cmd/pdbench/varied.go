package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"time"

	"partnerdesk/internal/demo"
	"partnerdesk/internal/desk"
)

// varied holds what the varied scenarios pick from: every request a different customer, search,
// date range or purchase.
type varied struct {
	customers []string   // 2,000 tenant IDs
	queries   []string   // customer searches
	reveals   []purchase // purchases with keys (the demo customers')
	links     []purchase // purchases to issue download links for
}

type purchase struct {
	customer, entitlement string
	ed                    edition
}

type edition struct {
	Version  string `json:"version"`
	Language string `json:"language"`
	Bitness  string `json:"bitness"`
}

// apiGet decodes a JSON response of the API.
func apiGet(c *http.Client, base, token, path string, out any) error {
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", path, res.StatusCode)
	}
	return json.NewDecoder(res.Body).Decode(out)
}

type entitlements struct {
	Items []struct {
		ID       string    `json:"id"`
		Status   string    `json:"status"`
		Editions []edition `json:"editions"`
	} `json:"items"`
}

// discover reads 2,000 customers through the API, the purchases of some of them, and the demo
// customers' purchases with keys (a reveal of each is tried once).
func discover(c, agent *http.Client, base, token string) (*varied, error) {
	v := &varied{}
	cont := ""
	for len(v.customers) < 2000 {
		var page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			ContinuationToken string `json:"continuationToken"`
		}
		path := "/v1/customers?size=500"
		if cont != "" {
			path += "&continuationToken=" + url.QueryEscape(cont)
		}
		if err := apiGet(c, base, token, path, &page); err != nil {
			return nil, err
		}
		for _, it := range page.Items {
			v.customers = append(v.customers, it.ID)
		}
		if cont = page.ContinuationToken; cont == "" {
			break
		}
	}
	if len(v.customers) < 100 {
		return nil, errors.New("fewer than 100 customers: is the large dataset loaded?")
	}
	rand.Shuffle(len(v.customers), func(i, j int) { v.customers[i], v.customers[j] = v.customers[j], v.customers[i] })
	for _, id := range v.customers[:200] {
		var es entitlements
		if err := apiGet(c, base, token, "/v1/customers/"+id+"/entitlements", &es); err != nil {
			return nil, err
		}
		for _, e := range es.Items {
			if e.Status == desk.StatusActive && len(e.Editions) > 0 {
				v.links = append(v.links, purchase{customer: id, entitlement: e.ID, ed: e.Editions[0]})
			}
		}
	}
	for _, prefix := range []string{"contoso", "fabrikam", "wingtiptoys", "tailspintoys", "northwindtraders", "adventureworks", "litware", "prosewarekosovo", "treyresearch"} {
		id := demo.TenantID(prefix)
		var es entitlements
		if err := apiGet(c, base, token, "/v1/customers/"+id+"/entitlements", &es); err != nil {
			return nil, err
		}
		for _, e := range es.Items {
			if e.Status != desk.StatusActive || len(e.Editions) == 0 {
				continue
			}
			p := purchase{customer: id, entitlement: e.ID, ed: e.Editions[0]}
			req, _ := postReq(base, "/customers/"+id+"/software/"+e.ID+"/key", url.Values{"version": {p.ed.Version}})
			if res, err := agent.Do(req); err == nil {
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					v.reveals = append(v.reveals, p)
				}
			}
		}
	}
	if len(v.links) == 0 || len(v.reveals) == 0 {
		return nil, fmt.Errorf("found %d purchases for links and %d with keys", len(v.links), len(v.reveals))
	}
	// Searches as people type them: name words, a company's number, a domain, a tenant ID's start,
	// a word and a number, and short prefixes.
	words := []string{"alpha", "blue", "north", "silver", "green", "bright", "coastal", "summit", "river", "golden", "prime", "urban",
		"crystal", "delta", "nova", "data", "logistics", "foods", "media", "systems", "health", "energy", "retail", "studio", "works", "labs",
		"finance", "travel", "motors", "print"}
	for i := 0; i < 400; i++ {
		switch i % 6 {
		case 0:
			v.queries = append(v.queries, words[rand.IntN(len(words))])
		case 1:
			v.queries = append(v.queries, fmt.Sprintf("%05d", rand.IntN(20000)))
		case 2:
			v.queries = append(v.queries, fmt.Sprintf("bench%04d", rand.IntN(2000)))
		case 3:
			v.queries = append(v.queries, v.customers[rand.IntN(len(v.customers))][:8])
		case 4:
			v.queries = append(v.queries, words[rand.IntN(len(words))]+" "+words[rand.IntN(len(words))])
		case 5:
			v.queries = append(v.queries, words[rand.IntN(len(words))][:2])
		}
	}
	return v, nil
}

type reqFn = func(*http.Client) (*http.Request, error)

func (v *varied) search(base string) reqFn {
	return func(*http.Client) (*http.Request, error) {
		req, err := http.NewRequest(http.MethodGet, base+"/customers?q="+url.QueryEscape(v.queries[rand.IntN(len(v.queries))]), nil)
		if err == nil {
			req.Header.Set("HX-Request", "true")
		}
		return req, err
	}
}

func (v *varied) software(base string) reqFn {
	return func(*http.Client) (*http.Request, error) {
		return http.NewRequest(http.MethodGet, base+"/customers/"+v.customers[rand.IntN(len(v.customers))]+"/software", nil)
	}
}

// activity asks for a random range of 1 to 30 days in the last year, a quarter of the time
// filtered by an action.
func (v *varied) activity(base string, now time.Time) reqFn {
	actions := []string{desk.OpGetSoftwareKey, desk.OpCreateOrder, desk.OpSignIn, desk.OpGetDownloadLink}
	return func(*http.Client) (*http.Request, error) {
		to := now.AddDate(0, 0, -rand.IntN(335))
		from := to.AddDate(0, 0, -rand.IntN(30))
		q := "/settings/activity?from=" + from.Format("2006-01-02") + "&to=" + to.Format("2006-01-02")
		if rand.IntN(4) == 0 {
			q += "&action=" + actions[rand.IntN(len(actions))]
		}
		return http.NewRequest(http.MethodGet, base+q, nil)
	}
}

// write is a key reveal or a download link, each of a different purchase.
func (v *varied) write(base string) reqFn {
	return func(*http.Client) (*http.Request, error) {
		if rand.IntN(2) == 0 {
			p := v.reveals[rand.IntN(len(v.reveals))]
			return postReq(base, "/customers/"+p.customer+"/software/"+p.entitlement+"/key", url.Values{"version": {p.ed.Version}})
		}
		p := v.links[rand.IntN(len(v.links))]
		return postReq(base, "/customers/"+p.customer+"/software/"+p.entitlement+"/link",
			url.Values{"version": {p.ed.Version}, "language": {p.ed.Language}, "bitness": {p.ed.Bitness}})
	}
}

// mix is 90 % Software tabs of different customers and 10 % audited writes.
func (v *varied) mix(base string) reqFn {
	sw, wr := v.software(base), v.write(base)
	return func(c *http.Client) (*http.Request, error) {
		if rand.IntN(10) == 0 {
			return wr(c)
		}
		return sw(c)
	}
}
