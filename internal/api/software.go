package api

import (
	"net/http"
	"strings"
	"time"

	"partnerdesk/internal/desk"

	"github.com/labstack/echo/v4"
)

// Software: entitlements, product keys and download links (R8–R10).

// Entitlement is a software entitlement with its downloadable editions.
type Entitlement struct {
	ID              string         `json:"id" format:"uuid"`
	ReferenceOrder  ReferenceOrder `json:"referenceOrder"`
	ProductID       string         `json:"productId"`
	FriendlyName    string         `json:"friendlyName"`
	Quantity        int            `json:"quantity" min:"0"`
	Status          string         `json:"status" enum:"active|cancelled"`
	EntitlementType string         `json:"entitlementType" enum:"software"`
	Editions        []Edition      `json:"editions"`
}

// ReferenceOrder names the order line an entitlement came from.
type ReferenceOrder struct {
	ID         string `json:"id" format:"uuid" doc:"The order ID."`
	LineItemID int    `json:"lineItemId" min:"0" doc:"The order line's lineItemNumber."`
}

// Edition is a downloadable build.
type Edition struct {
	Version  string `json:"version"`
	Language string `json:"language"`
	Bitness  string `json:"bitness"`
	FileName string `json:"fileName"`
	Size     int64  `json:"size" min:"0" doc:"Bytes."`
	SHA256   string `json:"sha256" pattern:"^[0-9a-f]{64}$"`
}

func (a *API) handleEntitlements(c echo.Context) error {
	if t := c.QueryParam("entitlementType"); t != "" && !strings.EqualFold(t, "software") {
		return &requestError{msg: "Parameter \"entitlementType\" must be software.", data: []string{"entitlementType"}}
	}
	size, cursor, err := page(c)
	if err != nil {
		return err
	}
	_, items, err := a.svc.Software(ctx(c), actor(c), c.Param("customerId"))
	if err != nil {
		return err
	}
	pageItems, next, err := offsetPage(items, size, cursor)
	if err != nil {
		return err
	}
	out := Collection[Entitlement]{TotalCount: len(items), Items: []Entitlement{}, ContinuationToken: continuation(next)}
	for _, it := range pageItems {
		e := Entitlement{ID: it.ID, ReferenceOrder: ReferenceOrder{ID: it.OrderID, LineItemID: it.LineNumber}, ProductID: it.ProductID,
			FriendlyName: it.OfferTitle, Quantity: it.Quantity, Status: it.Status, EntitlementType: "software", Editions: []Edition{}}
		for _, ed := range it.Product.Editions {
			e.Editions = append(e.Editions, Edition{Version: ed.Version, Language: ed.Language, Bitness: ed.Bitness, FileName: ed.FileName, Size: ed.Size, SHA256: ed.SHA256})
		}
		out.Items = append(out.Items, e)
	}
	return c.JSON(http.StatusOK, out)
}

// KeyResponse is a product key (beyond Partner Center, which has no API for keys).
type KeyResponse struct {
	ProductKey string `json:"productKey" pattern:"^[0-9A-Z]{5}(-[0-9A-Z]{5}){4}$"`
	Version    string `json:"version"`
}

func (a *API) handleKey(c echo.Context) error {
	version := c.QueryParam("version")
	if version == "" {
		return &requestError{msg: "Parameter \"version\" is required.", data: []string{"version"}}
	}
	key, err := a.svc.RevealKey(ctx(c), actor(c), c.Param("customerId"), c.Param("entitlementId"), version)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, KeyResponse{ProductKey: key, Version: version})
}

// LinkRequest asks for a download link of an edition.
type LinkRequest struct {
	Version  string `json:"version" doc:"An edition's version, e.g. 2022."`
	Language string `json:"language" doc:"An edition's language, e.g. en-US."`
	Bitness  string `json:"bitness" doc:"An edition's bitness, e.g. x64."`
}

// LinkResponse is a signed download link.
type LinkResponse struct {
	URL       string    `json:"url" format:"uri" doc:"Signed: anyone with the link downloads the file until it expires."`
	ExpiresAt time.Time `json:"expiresAt"`
	SHA256    string    `json:"sha256" pattern:"^[0-9a-f]{64}$"`
	FileName  string    `json:"fileName"`
	Size      int64     `json:"size" min:"0" doc:"Bytes."`
}

func (a *API) handleDownloadLink(c echo.Context) error {
	var req LinkRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	link, err := a.svc.IssueLink(ctx(c), actor(c), c.Param("customerId"), c.Param("entitlementId"),
		desk.EditionRef{Version: req.Version, Language: req.Language, Bitness: req.Bitness}, true)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, LinkResponse{URL: a.origin(c) + link.URL, ExpiresAt: link.ExpiresAt,
		SHA256: link.SHA256, FileName: link.FileName, Size: link.Size})
}
