package service

import (
	"context"
	"net/http"

	"partnerdesk/internal/desk"
)

// Attachment limits of a support request.
const (
	MaxAttachments    = 5
	MaxAttachmentSize = 5 << 20
)

// allowedAttachmentTypes are the content types accepted, as sniffed from the bytes.
var allowedAttachmentTypes = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true, "application/pdf": true,
	"text/plain; charset=utf-8": true, "text/plain; charset=utf-16le": true, "text/plain; charset=utf-16be": true,
	"application/zip": true, "text/csv; charset=utf-8": true,
}

// Upload is a file attached to a new support request.
type Upload struct {
	Name string
	Data []byte
}

// FileSupportRequest stores a support request (SPEC §8) with its attachments, which are checked
// (count, size, sniffed type) and stored in the database (every instance serves them) in the same
// transaction as the request and its event. Nothing is kept when anything fails.
func (s *supportArea) FileSupportRequest(ctx context.Context, a desk.Actor, q desk.SupportRequest, files []Upload) (desk.SupportRequest, error) {
	if err := require(a, desk.PermSupportRequests); err != nil {
		return q, err
	}
	q.Normalize()
	errs := desk.FieldErrors{}
	if err := q.Validate(); err != nil {
		errs = err.(*desk.ValidationError).Fields
	}
	if len(files) > MaxAttachments {
		errs["files"] = "err.attachments_count"
	}
	var types []string
	for _, f := range files {
		ct := http.DetectContentType(f.Data)
		switch {
		case len(f.Data) > MaxAttachmentSize:
			errs["files"] = "err.attachment_size"
		case len(f.Data) == 0:
			errs["files"] = "err.attachment_empty"
		case !allowedAttachmentTypes[ct]:
			errs["files"] = "err.attachment_type"
		}
		types = append(types, ct)
	}
	if len(errs) > 0 {
		return q, &desk.ValidationError{Fields: errs}
	}
	q.ID, q.CreatedAt, q.CreatedBy, q.Status = newID(), s.now(), a.User.Email, desk.SupportNew
	err := s.store.InTx(ctx, func(tx Store) error {
		n, err := tx.CreateSupportRequest(ctx, q)
		if err != nil {
			return err
		}
		q.Number = n
		q.Attachments = nil
		for i, f := range files {
			att := desk.Attachment{ID: newID(), RequestID: q.ID, FileName: desk.AttachmentFileName(f.Name, types[i]), ContentType: types[i], Size: int64(len(f.Data))}
			if err := tx.AddAttachment(ctx, att, f.Data); err != nil {
				return err
			}
			q.Attachments = append(q.Attachments, att)
		}
		return s.audit(ctx, tx, a, desk.Event{Operation: desk.OpFileSupport, ResourceType: "support_request", OrderID: q.OrderRef,
			Detail: desk.DetailSupportText(q.Ref(), q.Title)})
	})
	if err != nil {
		return q, err
	}
	return q, nil
}

// SupportRequests lists the requests, newest first.
func (s *supportArea) SupportRequests(ctx context.Context, a desk.Actor) ([]desk.SupportRequest, error) {
	if err := require(a, desk.PermSupportRequests); err != nil {
		return nil, err
	}
	return s.store.FindSupportRequests(ctx, 500)
}

// SupportRequest returns one request with its attachments.
func (s *supportArea) SupportRequest(ctx context.Context, a desk.Actor, id string) (desk.SupportRequest, error) {
	if err := require(a, desk.PermSupportRequests); err != nil {
		return desk.SupportRequest{}, err
	}
	return s.store.FindSupportRequest(ctx, id)
}

// SetSupportStatus changes a request's status (Global admin); its event names the status it
// replaced. Two changes at once: the second is ECONFLICT (on PostgreSQL it read the status
// before the first committed), not a record of a change from a status that was gone.
func (s *supportArea) SetSupportStatus(ctx context.Context, a desk.Actor, id, status string) error {
	if err := require(a, desk.PermManageSupport); err != nil {
		return err
	}
	valid := false
	for _, st := range desk.SupportStatuses {
		valid = valid || st == status
	}
	if !valid {
		return desk.FieldError("status", "err.required")
	}
	return s.store.InTx(ctx, func(tx Store) error {
		q, err := tx.FindSupportRequest(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.SetSupportStatus(ctx, id, q.Status, status, s.now().UnixMilli()); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, desk.Event{Operation: desk.OpUpdateSupport, ResourceType: "support_request", Detail: desk.DetailSupportStatusText(q.Ref(), q.Status, status)})
	})
}

// Attachment returns an attachment of a request with its bytes.
func (s *supportArea) Attachment(ctx context.Context, a desk.Actor, requestID, attachmentID string) (desk.Attachment, []byte, error) {
	q, err := s.SupportRequest(ctx, a, requestID)
	if err != nil {
		return desk.Attachment{}, nil, err
	}
	for _, att := range q.Attachments {
		if att.ID == attachmentID {
			data, err := s.store.AttachmentData(ctx, requestID, attachmentID)
			if desk.ErrorCode(err) == desk.ENOTFOUND {
				return att, nil, desk.KeyError(desk.ENOTFOUND, "err.attachment_not_found")
			}
			return att, data, err
		}
	}
	return desk.Attachment{}, nil, desk.KeyError(desk.ENOTFOUND, "err.attachment_not_found")
}
