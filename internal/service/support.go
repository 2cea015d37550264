package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"

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
// (count, size, sniffed type), stored outside the web root under random names, and recorded in
// the same transaction as the request and its event. Nothing is kept when anything fails.
func (s *Service) FileSupportRequest(ctx context.Context, a desk.Actor, q desk.SupportRequest, files []Upload) (desk.SupportRequest, error) {
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
	if err := os.MkdirAll(s.cfg.AttachmentsDir, 0o700); err != nil {
		return q, err
	}
	var written []string
	err := s.store.InTx(ctx, func(tx Store) error {
		n, err := tx.CreateSupportRequest(ctx, q)
		if err != nil {
			return err
		}
		q.Number = n
		for i, f := range files {
			b := make([]byte, 16)
			rand.Read(b)
			att := desk.Attachment{ID: newID(), RequestID: q.ID, FileName: desk.AttachmentFileName(f.Name, types[i]), StoredName: hex.EncodeToString(b),
				ContentType: types[i], Size: int64(len(f.Data))}
			path := filepath.Join(s.cfg.AttachmentsDir, att.StoredName)
			if err := os.WriteFile(path, f.Data, 0o600); err != nil {
				return err
			}
			written = append(written, path)
			if err := tx.AddAttachment(ctx, att); err != nil {
				return err
			}
			q.Attachments = append(q.Attachments, att)
		}
		return s.audit(ctx, tx, a, desk.Event{Operation: desk.OpFileSupport, ResourceType: "support_request", OrderID: q.OrderRef,
			Detail: desk.DetailSupportText(q.Ref(), q.Title)})
	})
	if err != nil {
		for _, p := range written {
			os.Remove(p)
		}
		return q, err
	}
	return q, nil
}

// SupportRequests lists the requests, newest first.
func (s *Service) SupportRequests(ctx context.Context, a desk.Actor) ([]desk.SupportRequest, error) {
	if err := require(a, desk.PermSupportRequests); err != nil {
		return nil, err
	}
	return s.store.FindSupportRequests(ctx, 500)
}

// SupportRequest returns one request with its attachments.
func (s *Service) SupportRequest(ctx context.Context, a desk.Actor, id string) (desk.SupportRequest, error) {
	if err := require(a, desk.PermSupportRequests); err != nil {
		return desk.SupportRequest{}, err
	}
	return s.store.FindSupportRequest(ctx, id)
}

// SetSupportStatus changes a request's status (Global admin).
func (s *Service) SetSupportStatus(ctx context.Context, a desk.Actor, id, status string) error {
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
		if err := tx.SetSupportStatus(ctx, id, status, s.now().UnixMilli()); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, desk.Event{Operation: desk.OpUpdateSupport, ResourceType: "support_request", Detail: desk.DetailSupportStatusText(q.Ref(), q.Status, status)})
	})
}

// AttachmentFile returns an attachment of a request and the path of its stored file.
func (s *Service) AttachmentFile(ctx context.Context, a desk.Actor, requestID, attachmentID string) (desk.Attachment, string, error) {
	q, err := s.SupportRequest(ctx, a, requestID)
	if err != nil {
		return desk.Attachment{}, "", err
	}
	for _, att := range q.Attachments {
		if att.ID == attachmentID {
			return att, filepath.Join(s.cfg.AttachmentsDir, att.StoredName), nil
		}
	}
	return desk.Attachment{}, "", desk.KeyError(desk.ENOTFOUND, "err.attachment_not_found")
}
