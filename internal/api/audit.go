package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"partnerdesk/internal/desk"
	"partnerdesk/internal/i18n"
	"partnerdesk/internal/service"

	"github.com/labstack/echo/v4"
)

// Audit records: the activity log (R11).

// AuditRecord is an activity log event as Partner Center's audit records show it.
type AuditRecord struct {
	ID                string    `json:"id"`
	CustomerID        string    `json:"customerId" doc:"Empty when the record concerns no customer."`
	CustomerName      string    `json:"customerName"`
	UserPrincipalName string    `json:"userPrincipalName" doc:"The email of the user who acted."`
	ResourceType      string    `json:"resourceType"`
	OperationType     string    `json:"operationType"`
	OperationDate     time.Time `json:"operationDate"`
	OperationStatus   string    `json:"operationStatus" enum:"succeeded|failed"`
	ResourceNewValue  string    `json:"resourceNewValue,omitempty"`
	OrderID           string    `json:"orderId,omitempty"`
	IP                string    `json:"ip,omitempty"`
	APITokenID        string    `json:"apiTokenId,omitempty" doc:"The API token the operation was done with (absent for the portal)."`
	APITokenName      string    `json:"apiTokenName,omitempty" doc:"That token's name."`
}

// auditFilter is the filter parameter: {"Field":"CompanyName|CustomerId|ResourceType","Value":...,"Operator":"substring|equals"}.
type auditFilter struct {
	Field    string `json:"Field"`
	Value    string `json:"Value"`
	Operator string `json:"Operator"`
}

func (a *API) handleAuditRecords(c echo.Context) error {
	size, cursor, err := page(c, "audit")
	if err != nil {
		return err
	}
	parseDate := func(name, v string) (string, error) {
		if v == "" {
			return "", nil
		}
		for _, layout := range []string{time.RFC3339, "2006-01-02"} {
			if t, err := time.Parse(layout, v); err == nil {
				return t.UTC().Format("2006-01-02"), nil
			}
		}
		return "", &requestError{msg: "Parameter \"" + name + "\" must be a date (YYYY-MM-DD or RFC 3339).", data: []string{name}}
	}
	now := a.svc.Now()
	from, err := parseDate("startDate", c.QueryParam("startDate"))
	if err != nil {
		return err
	}
	to, err := parseDate("endDate", c.QueryParam("endDate"))
	if err != nil {
		return err
	}
	if to == "" {
		to = now.Format("2006-01-02")
	}
	if from == "" {
		from = now.AddDate(0, 0, -29).Format("2006-01-02")
	}
	q := service.ActivityQuery{From: from, To: to, After: cursor, Limit: size}
	var resourceType, customerID string
	if raw := c.QueryParam("filter"); raw != "" {
		var f auditFilter
		if err := decodeStrict([]byte(raw), &f); err != nil {
			return &requestError{msg: "Parameter \"filter\" must be JSON like {\"Field\":\"CompanyName\",\"Value\":\"Contoso\",\"Operator\":\"substring\"}.", data: []string{"filter"}}
		}
		op := strings.ToLower(f.Operator)
		if op != "substring" && op != "equals" {
			return &requestError{msg: "Filter \"Operator\" must be substring or equals.", data: []string{"Operator"}}
		}
		switch f.Field {
		case "CompanyName":
			q.Customer = f.Value
		case "CustomerId":
			customerID = f.Value
		case "ResourceType":
			resourceType = f.Value
		default:
			return &requestError{msg: "Filter \"Field\" must be CompanyName, CustomerId or ResourceType.", data: []string{"Field"}}
		}
	}
	filter, err := a.svc.ActivityFilter(ctx(c), q)
	var ve *desk.ValidationError
	if errors.As(err, &ve) {
		// The web form's fields are from/to; the API's are startDate/endDate.
		names := map[string]string{"from": "startDate", "to": "endDate"}
		re := &requestError{msg: "The date range is not valid.", data: []string{}}
		for f, k := range ve.Fields {
			args := ve.Args[f]
			if n, ok := names[f]; ok {
				f = n
			}
			re.data = append(re.data, f)
			msg := i18n.Get("en").Msg(k)
			if a := args; len(a) > 0 {
				msg = i18n.Get("en").T(k, a...)
			}
			re.msg += fmt.Sprintf(" %s: %s", f, msg)
		}
		return re
	}
	if err != nil {
		return err
	}
	if customerID != "" {
		filter.CustomerIDs = []string{customerID}
	}
	filter.ResourceType = resourceType
	events, err := a.svc.AuditRecords(ctx(c), actor(c), filter)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, collect(events.Items, len(events.Items), events.Next, toAuditRecord, "audit"))
}

func toAuditRecord(e desk.Event) AuditRecord {
	return AuditRecord{ID: itoa64(e.ID), CustomerID: e.CustomerID, CustomerName: e.CustomerName, UserPrincipalName: e.ActorEmail,
		ResourceType: e.ResourceType, OperationType: e.Operation, OperationDate: e.At, OperationStatus: e.Status, ResourceNewValue: e.Detail,
		OrderID: e.OrderID, IP: e.IP, APITokenID: e.APITokenID, APITokenName: e.APITokenName}
}
