// Package demo loads PartnerDesk's demo data (SPEC §11): the partner's users, one per role, and
// about 30 customers across the markets that exercise the rules, each with a customer Global admin.
package demo

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"partnerdesk/internal/desk"
)

// Password is the demo sign-ins' password (demo mode only; no default password exists otherwise).
const Password = "partnerdesk-demo"

// Store is what loading the demo data needs.
type Store interface {
	ClaimMeta(ctx context.Context, key, value string) (string, bool, error)
	CreateCustomer(ctx context.Context, c desk.Customer) error
	CreateUser(ctx context.Context, u desk.User, passwordHash string) error
}

// PartnerUser is a demo sign-in of the partner tenant.
type PartnerUser struct {
	Email, Name string
	Role        desk.Role
}

// PartnerUsers are the partner's demo users, one per role of SPEC §1.
var PartnerUsers = []PartnerUser{
	{"globaladmin@partner.example", "Gabriella Global", desk.RoleGlobalAdmin},
	{"adminagent@partner.example", "Adam Agent", desk.RoleAdminAgent},
	{"salesagent@partner.example", "Sara Sales", desk.RoleSalesAgent},
	{"helpdesk@partner.example", "Henrik Helpdesk", desk.RoleHelpdeskAgent},
	{"billing@partner.example", "Bea Billing", desk.RoleBillingAdmin},
	{"referrals@partner.example", "Rita Referrals", desk.RoleReferralsAdmin},
}

type customer struct {
	name, domain, country, city, postal, street, first, last, phone string
}

// customers exercise the rules: AU and BR (R6, tax included), HU, DE, US, GB, and markets
// without Azure Reservations (R7: CN, XK, AZ, KH).
var customers = []customer{
	{"Contoso Ltd.", "contoso", "HU", "Budapest", "1051", "Széchenyi István tér 7", "Katalin", "Nagy", "+36 1 555 0100"},
	{"Fabrikam, Inc.", "fabrikam", "US", "Redmond", "98052", "1 Microsoft Way", "Jordan", "Miller", "+1 425 555 0100"},
	{"Wingtip Toys Pty Ltd", "wingtiptoys", "AU", "Sydney", "2000", "1 Martin Place", "Olivia", "Smith", "+61 2 5550 0100"},
	{"Tailspin Toys Ltda.", "tailspintoys", "BR", "São Paulo", "01310-100", "Avenida Paulista 1000", "Lucas", "Silva", "+55 11 5555 0100"},
	{"Northwind Traders GmbH", "northwindtraders", "DE", "Berlin", "10117", "Unter den Linden 10", "Lena", "Schmidt", "+49 30 5550100"},
	{"Adventure Works Cycles Ltd", "adventureworks", "GB", "London", "EC2V 7HH", "1 Gresham Street", "Oliver", "Brown", "+44 20 7946 0100"},
	{"Litware Technology Co., Ltd.", "litware", "CN", "Shanghai", "200120", "100 Century Avenue", "Wei", "Zhang", "+86 21 5555 0100"},
	{"Proseware Kosovo LLC", "prosewarekosovo", "XK", "Pristina", "10000", "Bulevardi Nënë Tereza 5", "Arben", "Krasniqi", "+383 38 555 010"},
	{"Coho Winery LLC", "cohowinery", "AZ", "Baku", "AZ1000", "Neftchilar Avenue 12", "Elnur", "Aliyev", "+994 12 555 0100"},
	{"Angkor Data Co., Ltd.", "angkordata", "KH", "Phnom Penh", "12000", "Preah Norodom Blvd 50", "Sokha", "Chan", "+855 23 555 010"},
	{"Alpine Ski House GmbH", "alpineskihouse", "AT", "Innsbruck", "6020", "Maria-Theresien-Straße 18", "Johanna", "Huber", "+43 512 555010"},
	{"Blue Yonder Airlines SA", "blueyonderairlines", "FR", "Paris", "75008", "8 Rue de la Paix", "Camille", "Martin", "+33 1 55 55 01 00"},
	{"Trey Research Kft.", "treyresearch", "HU", "Debrecen", "4025", "Piac utca 20", "Bence", "Kovács", "+36 52 555 010"},
	{"Woodgrove Bank N.V.", "woodgrovebank", "NL", "Amsterdam", "1012 JS", "Dam 1", "Sanne", "de Vries", "+31 20 555 0100"},
	{"Lucerne Publishing AG", "lucernepublishing", "CH", "Luzern", "6003", "Pilatusstrasse 15", "Luca", "Meier", "+41 41 555 01 00"},
	{"Margie's Travel S.L.", "margiestravel", "ES", "Madrid", "28013", "Gran Vía 30", "Lucía", "García", "+34 91 555 0100"},
	{"Humongous Insurance S.p.A.", "humongousinsurance", "IT", "Milano", "20121", "Via Montenapoleone 8", "Giulia", "Rossi", "+39 02 5550 100"},
	{"Graphic Design Institute", "graphicdesigninstitute", "IE", "Dublin", "D02 X285", "10 Grafton Street", "Aoife", "Murphy", "+353 1 555 0100"},
	{"Fourth Coffee Ltd.", "fourthcoffee", "CA", "Vancouver", "V6B 1A1", "800 Robson Street", "Liam", "Tremblay", "+1 604 555 0100"},
	{"Relecloud K.K.", "relecloud", "JP", "Tokyo", "100-0005", "1-1 Marunouchi", "Haruto", "Sato", "+81 3 5555 0100"},
	{"VanArsdel Ltd.", "vanarsdel", "NZ", "Auckland", "1010", "1 Queen Street", "Aroha", "Wilson", "+64 9 555 0100"},
	{"Wide World Importers Sp. z o.o.", "wideworldimporters", "PL", "Warszawa", "00-001", "ul. Marszałkowska 1", "Zofia", "Nowak", "+48 22 555 01 00"},
	{"The Phone Company AB", "thephonecompany", "SE", "Stockholm", "111 52", "Drottninggatan 1", "Elsa", "Andersson", "+46 8 555 010 00"},
	{"School of Fine Art Kft.", "schooloffineart", "HU", "Szeged", "6720", "Dugonics tér 13", "Anna", "Tóth", "+36 62 555 010"},
	{"Consolidated Messenger Pty Ltd", "consolidatedmessenger", "AU", "Melbourne", "3000", "101 Collins Street", "Jack", "Taylor", "+61 3 5550 0100"},
	{"Southridge Video Ltda.", "southridgevideo", "BR", "Rio de Janeiro", "20040-020", "Avenida Rio Branco 1", "Ana", "Souza", "+55 21 5555 0100"},
	{"A. Datum Corporation ApS", "adatum", "DK", "København", "1050", "Kongens Nytorv 1", "Freja", "Jensen", "+45 33 55 01 00"},
	{"First Up Consultants s.r.o.", "firstupconsultants", "CZ", "Praha", "110 00", "Václavské náměstí 1", "Jan", "Novák", "+420 2 5550 0100"},
	{"Bellows College", "bellowscollege", "IN", "Bengaluru", "560001", "1 MG Road", "Priya", "Sharma", "+91 80 5555 0100"},
	{"Nod Publishers Ltd", "nodpublishers", "GB", "Manchester", "M1 1AE", "1 Piccadilly", "Amelia", "Jones", "+44 161 555 0100"},
	{"Munson's Pickles and Preserves Farm", "munsonspickles", "US", "Springfield", "62701", "1 Main Street", "Walter", "Munson", "+1 217 555 0100"},
}

// TenantID returns the demo tenant ID of a domain prefix: stable across machines, so that a
// link written in a note still opens the same customer.
func TenantID(domainPrefix string) string {
	h := sha256.Sum256([]byte("partnerdesk-demo-tenant:" + domainPrefix))
	b := h[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Domain returns the primary domain of a demo customer's prefix.
func Domain(prefix string) string { return prefix + ".onmicrosoft.com" }

// Load loads the demo data once: a second call (a second `make run`, or a second instance
// starting at the same moment) finds the marker and does nothing. It claims the marker first, so
// run it in one transaction with the rest of the demo data. passwordHash is the hash of
// Password, computed once by the caller.
func Load(ctx context.Context, st Store, passwordHash string, now time.Time) (bool, error) {
	if _, claimed, err := st.ClaimMeta(ctx, "demo_loaded", now.Format(time.RFC3339)); err != nil || !claimed {
		return false, err
	}
	for i, p := range PartnerUsers {
		u := desk.User{ID: TenantID("user:" + p.Email), Email: p.Email, DisplayName: p.Name, Roles: desk.RolesOf(p.Role), Active: true, CreatedAt: now.Add(-time.Duration(400-i) * 24 * time.Hour)}
		if err := st.CreateUser(ctx, u, passwordHash); err != nil {
			return false, fmt.Errorf("demo user %s: %w", p.Email, err)
		}
	}
	for i, c := range customers {
		country, ok := desk.CountryByCode(c.country)
		if !ok {
			return false, fmt.Errorf("demo customer %s: unknown country %s", c.name, c.country)
		}
		cust := desk.Customer{
			ID: TenantID(c.domain), CompanyName: c.name, Domain: Domain(c.domain), Country: country.Code, Currency: country.Currency,
			Address:      desk.Address{Line1: c.street, City: c.city, PostalCode: c.postal},
			Contact:      desk.Contact{FirstName: c.first, LastName: c.last, Email: "it@" + c.domain + ".example", Phone: c.phone},
			Relationship: "Cloud Reseller", CreatedAt: now.Add(-time.Duration(365-i*7) * 24 * time.Hour),
		}
		if err := st.CreateCustomer(ctx, cust); err != nil {
			return false, fmt.Errorf("demo customer %s: %w", c.name, err)
		}
		admin := desk.User{ID: TenantID("user:admin@" + cust.Domain), Email: "admin@" + cust.Domain, DisplayName: c.first + " " + c.last,
			CustomerID: cust.ID, Roles: desk.RolesOf(desk.RoleCustomerGlobalAdmin), Active: true, CreatedAt: cust.CreatedAt}
		if err := st.CreateUser(ctx, admin, passwordHash); err != nil {
			return false, fmt.Errorf("demo user %s: %w", admin.Email, err)
		}
	}
	return true, nil
}
