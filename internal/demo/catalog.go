package demo

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"sync"

	"partnerdesk/internal/desk"
)

// The demo catalog of SPEC §2: Windows Server, SQL Server, RDS, Office, Project, Visio and Exchange
// perpetual licences, 1-/3-year software subscriptions, Windows Server / SQL Server server
// subscriptions, a few Azure Reservations and the SUSE / Red Hat Azure software plans. Every ID
// is a literal, so the catalog is the same on every machine and every run.

const (
	catalogPublisherMicrosoft = "Microsoft Corporation"
	catalogPublisherSUSE      = "SUSE"
	catalogPublisherRedHat    = "Red Hat, Inc."
)

// catalogOfferSpec is one offer of a catalog product: productId:sku:availability.
type catalogOfferSpec struct {
	sku          string // 4-digit skuId
	availability string // 12-character availabilityId
	term         string // desk.TermNone, desk.TermP1Y, desk.TermP3Y
	region       string // Azure Reservations only
	usd          int64  // USD list price in whole dollars for one unit and the whole term
}

// catalogProductSpec is one catalog product before its offers and editions are expanded.
type catalogProductSpec struct {
	id, title        string
	kind             desk.ProductKind
	family           string
	publisher        string
	description      string
	descriptionHU    string // the Hungarian description
	hybridBenefit    bool   // R8: Windows Server Standard/Datacenter core licences only
	neverCancellable bool   // R13: SUSE Linux and Red Hat plans
	media            string // edition file name pattern with {v}, {bit}, {lang}; "" for Azure kinds
	offers           []catalogOfferSpec
}

// catalogVersions lists, per family, the current version and the two before it (SPEC §2).
var catalogVersions = map[string][]string{
	"Windows Server":          {"2022", "2019", "2016"},
	"Remote Desktop Services": {"2022", "2019", "2016"},
	"SQL Server":              {"2022", "2019", "2017"},
	"Office":                  {"2024", "2021", "2019"},
	"Project":                 {"2024", "2021", "2019"},
	"Visio":                   {"2024", "2021", "2019"},
	"Exchange Server":         {"2019", "2016", "2013"},
}

// catalogLanguages are the edition languages with the language token of the media file names.
var catalogLanguages = []struct{ code, token string }{
	{"en-us", "English"},
	{"hu-hu", "Hungarian"},
	{"de-de", "German"},
}

// catalogBitness returns the builds a family offers: 64-bit everywhere, plus 32-bit for the
// desktop applications (Office, Project, Visio).
func catalogBitness(family string) []string {
	switch family {
	case "Office", "Project", "Visio":
		return []string{"64-bit", "32-bit"}
	}
	return []string{"64-bit"}
}

// catalogPerpetual is a perpetual licence offer (no term).
func catalogPerpetual(sku, avail string, usd int64) catalogOfferSpec {
	return catalogOfferSpec{sku: sku, availability: avail, term: desk.TermNone, usd: usd}
}

// catalogTerm is a 1- or 3-year offer.
func catalogTerm(sku, avail, term string, usd int64) catalogOfferSpec {
	return catalogOfferSpec{sku: sku, availability: avail, term: term, usd: usd}
}

// catalogReservation is an Azure Reservation offer in a region.
func catalogReservation(sku, avail, region, term string, usd int64) catalogOfferSpec {
	return catalogOfferSpec{sku: sku, availability: avail, term: term, region: region, usd: usd}
}

// catalogProducts is the demo catalog in display order.
var catalogProducts = []catalogProductSpec{
	// Perpetual licences (one-time purchase).
	{
		id: "DG7GMGF0D5RK", title: "Windows Server 2022 Standard - 2 Core License Pack", kind: desk.KindPerpetual,
		family: "Windows Server", publisher: catalogPublisherMicrosoft, hybridBenefit: true,
		description:   "Perpetual licence for two physical cores of Windows Server 2022 Standard, covering up to two virtual machines when all cores of the host are licensed.",
		descriptionHU: "Örökös licenc a Windows Server 2022 Standard két fizikai magjához; ha a gazdagép összes magja licencelve van, legfeljebb két virtuális gépre terjed ki.",
		media:         "SW_DVD9_Win_Server_STD_CORE_{v}_{bit}_{lang}_DC_STD_MLF.ISO",
		offers:        []catalogOfferSpec{catalogPerpetual("0001", "DG7GMGF0DRWQ", 140)},
	},
	{
		id: "DG7GMGF0D5RH", title: "Windows Server 2022 Datacenter - 2 Core License Pack", kind: desk.KindPerpetual,
		family: "Windows Server", publisher: catalogPublisherMicrosoft, hybridBenefit: true,
		description:   "Perpetual licence for two physical cores of Windows Server 2022 Datacenter, with unlimited virtual machines when all cores of the host are licensed.",
		descriptionHU: "Örökös licenc a Windows Server 2022 Datacenter két fizikai magjához; ha a gazdagép összes magja licencelve van, korlátlan számú virtuális gépet futtathat.",
		media:         "SW_DVD9_Win_Server_DC_CORE_{v}_{bit}_{lang}_DC_STD_MLF.ISO",
		offers:        []catalogOfferSpec{catalogPerpetual("0001", "DG7GMGF0DRWT", 800)},
	},
	{
		id: "DG7GMGF0D8H4", title: "Windows Server 2022 - User CAL", kind: desk.KindPerpetual,
		family: "Windows Server", publisher: catalogPublisherMicrosoft,
		description:   "Client access licence that lets one named user access Windows Server 2022 from any number of devices.",
		descriptionHU: "Ügyfél-hozzáférési licenc (CAL), amellyel egy megnevezett felhasználó tetszőleges számú eszközről hozzáférhet a Windows Server 2022-höz.",
		media:         "SW_DVD9_Win_Server_CAL_User_{v}_{bit}_{lang}_MLF.ISO",
		offers:        []catalogOfferSpec{catalogPerpetual("0001", "DG7GMGF0DRX0", 45)},
	},
	{
		id: "DG7GMGF0D8H7", title: "Windows Server 2022 - Device CAL", kind: desk.KindPerpetual,
		family: "Windows Server", publisher: catalogPublisherMicrosoft,
		description:   "Client access licence that lets one device access Windows Server 2022, whoever uses it.",
		descriptionHU: "Ügyfél-hozzáférési licenc (CAL), amellyel egy eszköz hozzáférhet a Windows Server 2022-höz, bárki használja is.",
		media:         "SW_DVD9_Win_Server_CAL_Device_{v}_{bit}_{lang}_MLF.ISO",
		offers:        []catalogOfferSpec{catalogPerpetual("0001", "DG7GMGF0DRX3", 40)},
	},
	{
		id: "DG7GMGF0D8HC", title: "Windows Server 2022 Remote Desktop Services - User CAL", kind: desk.KindPerpetual,
		family: "Remote Desktop Services", publisher: catalogPublisherMicrosoft,
		description:   "Remote Desktop Services client access licence that lets one named user run sessions and RemoteApp programs on Windows Server 2022.",
		descriptionHU: "Távoli asztali szolgáltatások (RDS) ügyfél-hozzáférési licenc, amellyel egy megnevezett felhasználó munkameneteket és RemoteApp-programokat futtathat Windows Server 2022 rendszeren.",
		media:         "SW_DVD9_Win_Server_RDS_CAL_User_{v}_{bit}_{lang}_MLF.ISO",
		offers:        []catalogOfferSpec{catalogPerpetual("0001", "DG7GMGF0DRX6", 140)},
	},
	{
		id: "DG7GMGF0FLR2", title: "SQL Server 2022 Standard - 2 Core License Pack", kind: desk.KindPerpetual,
		family: "SQL Server", publisher: catalogPublisherMicrosoft,
		description:   "Perpetual per-core licence for two cores of SQL Server 2022 Standard, with no client access licences needed.",
		descriptionHU: "Magalapú örökös licenc az SQL Server 2022 Standard két magjához; ügyfél-hozzáférési licencekre nincs szükség.",
		media:         "SW_DVD9_SQL_Svr_Standard_Core_{v}_{bit}_{lang}_MLF.ISO",
		offers:        []catalogOfferSpec{catalogPerpetual("0001", "DG7GMGF0DRXB", 3945)},
	},
	{
		id: "DG7GMGF0FLR4", title: "SQL Server 2022 Enterprise - 2 Core License Pack", kind: desk.KindPerpetual,
		family: "SQL Server", publisher: catalogPublisherMicrosoft,
		description:   "Perpetual per-core licence for two cores of SQL Server 2022 Enterprise, for mission-critical workloads and unlimited virtualization with Software Assurance.",
		descriptionHU: "Magalapú örökös licenc az SQL Server 2022 Enterprise két magjához üzletileg kritikus számítási feladatokhoz; frissítési garanciával korlátlan virtualizációt tesz lehetővé.",
		media:         "SW_DVD9_SQL_Svr_Enterprise_Core_{v}_{bit}_{lang}_MLF.ISO",
		offers:        []catalogOfferSpec{catalogPerpetual("0001", "DG7GMGF0DRXF", 15123)},
	},
	{
		id: "DG7GMGF0FLR7", title: "SQL Server 2022 Standard (Server + CAL model)", kind: desk.KindPerpetual,
		family: "SQL Server", publisher: catalogPublisherMicrosoft,
		description:   "Perpetual server licence for one SQL Server 2022 Standard instance under the Server + CAL model; each user or device also needs a SQL Server CAL.",
		descriptionHU: "Örökös kiszolgálólicenc egy SQL Server 2022 Standard-példányhoz a Kiszolgáló + CAL licencelési modellben; minden felhasználónak vagy eszköznek SQL Server CAL is szükséges.",
		media:         "SW_DVD9_SQL_Svr_Standard_Edtn_{v}_{bit}_{lang}_MLF.ISO",
		offers:        []catalogOfferSpec{catalogPerpetual("0001", "DG7GMGF0DRXJ", 989)},
	},
	{
		id: "DG7GMGF0P2QX", title: "Office LTSC Professional Plus 2024", kind: desk.KindPerpetual,
		family: "Office", publisher: catalogPublisherMicrosoft,
		description:   "Perpetual device licence for the Office LTSC 2024 desktop apps (Word, Excel, PowerPoint, Outlook, Access), with no feature updates for five years.",
		descriptionHU: "Eszközalapú örökös licenc az Office LTSC 2024 asztali alkalmazásaihoz (Word, Excel, PowerPoint, Outlook, Access), öt évig funkciófrissítések nélkül.",
		media:         "SW_DVD5_Office_LTSC_ProPlus_{v}_{bit}_{lang}_MLF.ISO",
		offers:        []catalogOfferSpec{catalogPerpetual("0001", "DG7GMGF0DRXM", 509)},
	},
	{
		id: "DG7GMGF0P2R1", title: "Project Professional 2024", kind: desk.KindPerpetual,
		family: "Project", publisher: catalogPublisherMicrosoft,
		description:   "Perpetual licence for the Project Professional 2024 desktop app to plan schedules, manage resources and track portfolios.",
		descriptionHU: "Örökös licenc a Project Professional 2024 asztali alkalmazáshoz ütemtervek készítéséhez, erőforrások kezeléséhez és portfóliók nyomon követéséhez.",
		media:         "SW_DVD5_Project_Pro_{v}_{bit}_{lang}_MLF.ISO",
		offers:        []catalogOfferSpec{catalogPerpetual("0001", "DG7GMGF0DRXQ", 1299)},
	},
	{
		id: "DG7GMGF0P2R5", title: "Visio Professional 2024", kind: desk.KindPerpetual,
		family: "Visio", publisher: catalogPublisherMicrosoft,
		description:   "Perpetual licence for the Visio Professional 2024 desktop app to draw diagrams, floor plans and network maps.",
		descriptionHU: "Örökös licenc a Visio Professional 2024 asztali alkalmazáshoz diagramok, alaprajzok és hálózati térképek rajzolásához.",
		media:         "SW_DVD5_Visio_Pro_{v}_{bit}_{lang}_MLF.ISO",
		offers:        []catalogOfferSpec{catalogPerpetual("0001", "DG7GMGF0DRXT", 649)},
	},
	{
		id: "DG7GMGF0F4M9", title: "Exchange Server 2019 Standard", kind: desk.KindPerpetual,
		family: "Exchange Server", publisher: catalogPublisherMicrosoft,
		description:   "Perpetual server licence for one Exchange Server 2019 Standard server hosting up to five mailbox databases on premises.",
		descriptionHU: "Örökös kiszolgálólicenc egy helyszíni Exchange Server 2019 Standard kiszolgálóhoz, legfeljebb öt postaláda-adatbázissal.",
		media:         "SW_DVD9_Exchange_Svr_Standard_{v}_{bit}_{lang}_MLF.ISO",
		offers:        []catalogOfferSpec{catalogPerpetual("0001", "DG7GMGF0DRY0", 878)},
	},

	// Software subscriptions: 1- or 3-year term, billed up front (3-year also annually).
	{
		id: "DG7GMGF0FKX2", title: "Windows Server Standard - 2 Core License Pack", kind: desk.KindSoftwareSubscription,
		family: "Windows Server", publisher: catalogPublisherMicrosoft, hybridBenefit: true,
		description:   "Term licence for two cores of Windows Server Standard with the right to use the current and earlier versions during the term.",
		descriptionHU: "Határozott idejű licenc a Windows Server Standard két magjához; az időtartam alatt az aktuális és a korábbi verziók is használhatók.",
		media:         "SW_DVD9_Win_Server_STD_CORE_{v}_{bit}_{lang}_DC_STD_CSP.ISO",
		offers: []catalogOfferSpec{
			catalogTerm("0001", "DG7GMGF0DWL2", desk.TermP1Y, 55),
			catalogTerm("0003", "DG7GMGF0DWL5", desk.TermP3Y, 150),
		},
	},
	{
		id: "DG7GMGF0FKX6", title: "Windows Server Datacenter - 2 Core License Pack", kind: desk.KindSoftwareSubscription,
		family: "Windows Server", publisher: catalogPublisherMicrosoft, hybridBenefit: true,
		description:   "Term licence for two cores of Windows Server Datacenter with unlimited virtualization and the right to use earlier versions during the term.",
		descriptionHU: "Határozott idejű licenc a Windows Server Datacenter két magjához korlátlan virtualizációval; az időtartam alatt a korábbi verziók is használhatók.",
		media:         "SW_DVD9_Win_Server_DC_CORE_{v}_{bit}_{lang}_DC_STD_CSP.ISO",
		offers: []catalogOfferSpec{
			catalogTerm("0001", "DG7GMGF0DWL8", desk.TermP1Y, 310),
			catalogTerm("0003", "DG7GMGF0DWLC", desk.TermP3Y, 860),
		},
	},
	{
		id: "DG7GMGF0FKZS", title: "SQL Server Standard - 2 Core License Pack", kind: desk.KindSoftwareSubscription,
		family: "SQL Server", publisher: catalogPublisherMicrosoft,
		description:   "Term licence for two cores of SQL Server Standard with the right to use the current and earlier versions during the term.",
		descriptionHU: "Határozott idejű licenc az SQL Server Standard két magjához; az időtartam alatt az aktuális és a korábbi verziók is használhatók.",
		media:         "SW_DVD9_SQL_Svr_Standard_Core_{v}_{bit}_{lang}_CSP.ISO",
		offers: []catalogOfferSpec{
			catalogTerm("0001", "DG7GMGF0DWLG", desk.TermP1Y, 1860),
			catalogTerm("0003", "DG7GMGF0DWLK", desk.TermP3Y, 5020),
		},
	},
	{
		id: "DG7GMGF0FKZV", title: "SQL Server Enterprise - 2 Core License Pack", kind: desk.KindSoftwareSubscription,
		family: "SQL Server", publisher: catalogPublisherMicrosoft,
		description:   "Term licence for two cores of SQL Server Enterprise with the right to use the current and earlier versions during the term.",
		descriptionHU: "Határozott idejű licenc az SQL Server Enterprise két magjához; az időtartam alatt az aktuális és a korábbi verziók is használhatók.",
		media:         "SW_DVD9_SQL_Svr_Enterprise_Core_{v}_{bit}_{lang}_CSP.ISO",
		offers: []catalogOfferSpec{
			catalogTerm("0001", "DG7GMGF0DWMP", desk.TermP1Y, 7130),
			catalogTerm("0003", "DG7GMGF0DWMS", desk.TermP3Y, 19250),
		},
	},
	{
		id: "DG7GMGF0FKW8", title: "Remote Desktop Services User CAL", kind: desk.KindSoftwareSubscription,
		family: "Remote Desktop Services", publisher: catalogPublisherMicrosoft,
		description:   "One-year Remote Desktop Services client access licence for one named user, valid for the current and earlier Windows Server versions.",
		descriptionHU: "Egyéves Távoli asztali szolgáltatások (RDS) ügyfél-hozzáférési licenc egy megnevezett felhasználónak, amely a Windows Server aktuális és korábbi verzióihoz is érvényes.",
		media:         "SW_DVD9_Win_Server_RDS_CAL_User_{v}_{bit}_{lang}_CSP.ISO",
		offers:        []catalogOfferSpec{catalogTerm("0001", "DG7GMGF0DWN1", desk.TermP1Y, 58)},
	},

	// Server subscriptions: Windows Server / SQL Server, billed monthly or annually.
	{
		id: "DG7GMGF0M80J", title: "Windows Server Standard Subscription - 2 Core License Pack", kind: desk.KindServerSubscription,
		family: "Windows Server", publisher: catalogPublisherMicrosoft, hybridBenefit: true,
		description:   "Server subscription for two cores of Windows Server Standard, including new versions released during the term.",
		descriptionHU: "Kiszolgáló-előfizetés a Windows Server Standard két magjához, az időtartam alatt megjelenő új verziókkal együtt.",
		media:         "SW_DVD9_Win_Server_STD_CORE_{v}_{bit}_{lang}_DC_STD_Subscription.ISO",
		offers: []catalogOfferSpec{
			catalogTerm("0001", "DG7GMGF0DZ1Q", desk.TermP1Y, 60),
			catalogTerm("0003", "DG7GMGF0DZ1T", desk.TermP3Y, 165),
		},
	},
	{
		id: "DG7GMGF0M80L", title: "Windows Server Datacenter Subscription - 2 Core License Pack", kind: desk.KindServerSubscription,
		family: "Windows Server", publisher: catalogPublisherMicrosoft, hybridBenefit: true,
		description:   "Server subscription for two cores of Windows Server Datacenter with unlimited virtualization, including new versions released during the term.",
		descriptionHU: "Kiszolgáló-előfizetés a Windows Server Datacenter két magjához korlátlan virtualizációval, az időtartam alatt megjelenő új verziókkal együtt.",
		media:         "SW_DVD9_Win_Server_DC_CORE_{v}_{bit}_{lang}_DC_STD_Subscription.ISO",
		offers: []catalogOfferSpec{
			catalogTerm("0001", "DG7GMGF0DZ20", desk.TermP1Y, 330),
			catalogTerm("0003", "DG7GMGF0DZ23", desk.TermP3Y, 910),
		},
	},
	{
		id: "DG7GMGF0M81B", title: "SQL Server Standard Subscription - 2 Core License Pack", kind: desk.KindServerSubscription,
		family: "SQL Server", publisher: catalogPublisherMicrosoft,
		description:   "Server subscription for two cores of SQL Server Standard, including new versions released during the term.",
		descriptionHU: "Kiszolgáló-előfizetés az SQL Server Standard két magjához, az időtartam alatt megjelenő új verziókkal együtt.",
		media:         "SW_DVD9_SQL_Svr_Standard_Core_{v}_{bit}_{lang}_Subscription.ISO",
		offers: []catalogOfferSpec{
			catalogTerm("0001", "DG7GMGF0DZ26", desk.TermP1Y, 1770),
			catalogTerm("0003", "DG7GMGF0DZ29", desk.TermP3Y, 4880),
		},
	},
	{
		id: "DG7GMGF0M81D", title: "SQL Server Enterprise Subscription - 2 Core License Pack", kind: desk.KindServerSubscription,
		family: "SQL Server", publisher: catalogPublisherMicrosoft,
		description:   "Server subscription for two cores of SQL Server Enterprise, including new versions released during the term.",
		descriptionHU: "Kiszolgáló-előfizetés az SQL Server Enterprise két magjához, az időtartam alatt megjelenő új verziókkal együtt.",
		media:         "SW_DVD9_SQL_Svr_Enterprise_Core_{v}_{bit}_{lang}_Subscription.ISO",
		offers: []catalogOfferSpec{
			catalogTerm("0001", "DG7GMGF0DZ2C", desk.TermP1Y, 6800),
			catalogTerm("0003", "DG7GMGF0DZ2F", desk.TermP3Y, 18720),
		},
	},

	// Azure Reservations: one product per VM size, offers per region (skuId) and term (availability).
	{
		id: "DZH318Z0BQ4L", title: "Reserved VM Instance, Standard_D2s_v5", kind: desk.KindAzureReservation,
		publisher:     catalogPublisherMicrosoft,
		description:   "Reserved capacity for one general-purpose Standard_D2s_v5 virtual machine (2 vCPU, 8 GiB) at a discount against pay-as-you-go compute.",
		descriptionHU: "Foglalt kapacitás egy általános célú Standard_D2s_v5 virtuális géphez (2 vCPU, 8 GiB), kedvezménnyel a használatalapú díjszabáshoz képest.",
		offers: []catalogOfferSpec{
			catalogReservation("0027", "DZH318Z09D1K", "West Europe", desk.TermP1Y, 547),
			catalogReservation("0027", "DZH318Z09D1N", "West Europe", desk.TermP3Y, 1183),
			catalogReservation("0025", "DZH318Z09D1R", "North Europe", desk.TermP1Y, 510),
			catalogReservation("0025", "DZH318Z09D1V", "North Europe", desk.TermP3Y, 1102),
		},
	},
	{
		id: "DZH318Z0BQ5C", title: "Reserved VM Instance, Standard_E4s_v5", kind: desk.KindAzureReservation,
		publisher:     catalogPublisherMicrosoft,
		description:   "Reserved capacity for one memory-optimized Standard_E4s_v5 virtual machine (4 vCPU, 32 GiB) at a discount against pay-as-you-go compute.",
		descriptionHU: "Foglalt kapacitás egy memóriaoptimalizált Standard_E4s_v5 virtuális géphez (4 vCPU, 32 GiB), kedvezménnyel a használatalapú díjszabáshoz képest.",
		offers: []catalogOfferSpec{
			catalogReservation("0031", "DZH318Z09F2B", "North Europe", desk.TermP1Y, 1390),
			catalogReservation("0031", "DZH318Z09F2D", "North Europe", desk.TermP3Y, 2680),
			catalogReservation("0033", "DZH318Z09F2G", "West Europe", desk.TermP1Y, 1452),
			catalogReservation("0033", "DZH318Z09F2J", "West Europe", desk.TermP3Y, 2800),
		},
	},
	{
		id: "DZH318Z0BQ3T", title: "Reserved VM Instance, Standard_B2ms", kind: desk.KindAzureReservation,
		publisher:     catalogPublisherMicrosoft,
		description:   "Reserved capacity for one burstable Standard_B2ms virtual machine (2 vCPU, 8 GiB) at a discount against pay-as-you-go compute.",
		descriptionHU: "Foglalt kapacitás egy kipukkanó Standard_B2ms virtuális géphez (2 vCPU, 8 GiB), kedvezménnyel a használatalapú díjszabáshoz képest.",
		offers: []catalogOfferSpec{
			catalogReservation("0006", "DZH318Z09B7W", "East US", desk.TermP1Y, 426),
			catalogReservation("0006", "DZH318Z09B7Z", "East US", desk.TermP3Y, 823),
			catalogReservation("0012", "DZH318Z09B82", "West US 2", desk.TermP1Y, 437),
			catalogReservation("0012", "DZH318Z09B85", "West US 2", desk.TermP3Y, 845),
		},
	},

	// Azure software plans: vendor plans that can never be cancelled or exchanged (R13).
	{
		id: "DZH318Z0BXWB", title: "SUSE Linux Enterprise Server (1-2 vCPU)", kind: desk.KindAzureSoftwarePlan,
		publisher: catalogPublisherSUSE, neverCancellable: true,
		description:   "Prepaid SUSE Linux Enterprise Server software plan for one Azure virtual machine with 1 or 2 vCPUs, including SUSE support.",
		descriptionHU: "Előre fizetett SUSE Linux Enterprise Server szoftvercsomag egy 1 vagy 2 vCPU-s Azure-beli virtuális géphez, SUSE-támogatással.",
		offers: []catalogOfferSpec{
			catalogTerm("0001", "DZH318Z0C3L6", desk.TermP1Y, 114),
			catalogTerm("0002", "DZH318Z0C3L9", desk.TermP3Y, 307),
		},
	},
	{
		id: "DZH318Z0BXWH", title: "SUSE Linux Enterprise Server for SAP Applications (1-2 vCPU)", kind: desk.KindAzureSoftwarePlan,
		publisher: catalogPublisherSUSE, neverCancellable: true,
		description:   "Prepaid SUSE Linux Enterprise Server for SAP Applications software plan for one Azure virtual machine with 1 or 2 vCPUs.",
		descriptionHU: "Előre fizetett SUSE Linux Enterprise Server for SAP Applications szoftvercsomag egy 1 vagy 2 vCPU-s Azure-beli virtuális géphez.",
		offers: []catalogOfferSpec{
			catalogTerm("0001", "DZH318Z0C3LC", desk.TermP1Y, 298),
			catalogTerm("0002", "DZH318Z0C3LF", desk.TermP3Y, 805),
		},
	},
	{
		id: "DZH318Z0BXV9", title: "Red Hat Enterprise Linux (1-4 vCPU)", kind: desk.KindAzureSoftwarePlan,
		publisher: catalogPublisherRedHat, neverCancellable: true,
		description:   "Prepaid Red Hat Enterprise Linux software plan for one Azure virtual machine with 1 to 4 vCPUs, including Red Hat updates.",
		descriptionHU: "Előre fizetett Red Hat Enterprise Linux szoftvercsomag egy 1–4 vCPU-s Azure-beli virtuális géphez, Red Hat-frissítésekkel.",
		offers: []catalogOfferSpec{
			catalogTerm("0001", "DZH318Z0C3M1", desk.TermP1Y, 526),
			catalogTerm("0002", "DZH318Z0C3M4", desk.TermP3Y, 1422),
		},
	},
}

// Catalog returns the demo catalog: a fresh copy on every call. Windows Server Standard/Datacenter
// core products carry the Azure Hybrid Benefit (R8); SUSE and Red Hat plans are never cancellable (R13).
func Catalog() []desk.Product {
	products := make([]desk.Product, 0, len(catalogProducts))
	for _, s := range catalogProducts {
		p := desk.Product{
			ID:               s.id,
			Title:            s.title,
			Kind:             s.kind,
			Publisher:        s.publisher,
			Description:      s.description,
			DescriptionHU:    s.descriptionHU,
			Family:           s.family,
			HybridBenefit:    s.hybridBenefit,    // R8
			NeverCancellable: s.neverCancellable, // R13
		}
		for _, o := range s.offers {
			p.Offers = append(p.Offers, desk.Offer{
				ID:            catalogOfferID(s, o),
				ProductID:     s.id,
				Title:         catalogOfferTitle(s, o),
				Term:          o.term,
				BillingCycles: catalogBillingCycles(s.kind, o.term),
				Region:        o.region,
			})
		}
		if s.kind.IsSoftware() {
			p.Editions = catalogEditions(s)
		}
		products = append(products, p)
	}
	return products
}

// catalogOfferID is Partner Center's productId:skuId:availabilityId.
func catalogOfferID(s catalogProductSpec, o catalogOfferSpec) string {
	return s.id + ":" + o.sku + ":" + o.availability
}

// catalogTermTitle is the term as Partner Center's offer titles write it.
func catalogTermTitle(term string) string {
	switch term {
	case desk.TermP1Y:
		return "1 year"
	case desk.TermP3Y:
		return "3 year"
	}
	return ""
}

// catalogOfferTitle follows Partner Center: "SQL Server Enterprise - 2 Core License Pack - 3 year",
// "Reserved VM Instance, Standard_D2s_v5, West Europe, 1 year"; a perpetual offer has the product's title.
func catalogOfferTitle(s catalogProductSpec, o catalogOfferSpec) string {
	switch {
	case s.kind == desk.KindAzureReservation:
		return s.title + ", " + o.region + ", " + catalogTermTitle(o.term)
	case o.term == desk.TermNone:
		return s.title
	}
	return s.title + " - " + catalogTermTitle(o.term)
}

// catalogBillingCycles lists an offer's billing cycles, the default first.
func catalogBillingCycles(kind desk.ProductKind, term string) []string {
	switch kind {
	case desk.KindSoftwareSubscription:
		if term == desk.TermP3Y {
			return []string{desk.BillingOneTime, desk.BillingAnnual}
		}
		return []string{desk.BillingOneTime}
	case desk.KindServerSubscription:
		return []string{desk.BillingMonthly, desk.BillingAnnual}
	case desk.KindAzureReservation, desk.KindAzureSoftwarePlan:
		return []string{desk.BillingOneTime, desk.BillingMonthly}
	}
	return []string{desk.BillingOneTime}
}

// catalogEditions expands a software product's editions: versions × languages × bitness.
func catalogEditions(s catalogProductSpec) []desk.Edition {
	var eds []desk.Edition
	for _, v := range catalogVersions[s.family] {
		for _, lang := range catalogLanguages {
			for _, bit := range catalogBitness(s.family) {
				name := catalogFileName(s, v, bit, lang.token)
				size, sum := catalogFileDigest(name)
				eds = append(eds, desk.Edition{
					ProductID: s.id, Version: v, Language: lang.code, Bitness: bit,
					FileName: name, Size: size, SHA256: sum,
				})
			}
		}
	}
	return eds
}

// catalogFileName fills a product's media pattern, e.g. SW_DVD9_Win_Server_STD_CORE_2022_64Bit_English_DC_STD_MLF.ISO.
// 32-bit Office builds are "W32", as on the Volume Licensing site; Office 2019 predates the LTSC name.
func catalogFileName(s catalogProductSpec, version, bitness, langToken string) string {
	bit := "64Bit"
	if bitness == "32-bit" {
		bit = "W32"
	}
	name := strings.NewReplacer("{v}", version, "{bit}", bit, "{lang}", langToken).Replace(s.media)
	if s.family == "Office" && version == "2019" {
		name = strings.Replace(name, "Office_LTSC_ProPlus", "Office_Professional_Plus", 1)
	}
	return name
}

// catalogFileDigests memoizes the size and SHA-256 of FileContent per file name.
var catalogFileDigests struct {
	sync.Mutex
	m map[string]catalogDigest
}

type catalogDigest struct {
	size int64
	sum  string
}

// catalogFileDigest returns len(FileContent(name)) and its hex SHA-256, computed once per name.
func catalogFileDigest(name string) (int64, string) {
	catalogFileDigests.Lock()
	defer catalogFileDigests.Unlock()
	if d, ok := catalogFileDigests.m[name]; ok {
		return d.size, d.sum
	}
	b := FileContent(name)
	h := sha256.Sum256(b)
	d := catalogDigest{size: int64(len(b)), sum: hex.EncodeToString(h[:])}
	if catalogFileDigests.m == nil {
		catalogFileDigests.m = make(map[string]catalogDigest)
	}
	catalogFileDigests.m[name] = d
	return d.size, d.sum
}

// Placeholder file sizes: between 32 KiB and 256 KiB, chosen by the file name.
const (
	catalogMinFileSize = 32 << 10
	catalogMaxFileSize = 256 << 10
)

// catalogFileSize is the deterministic placeholder size of a file name.
func catalogFileSize(fileName string) int {
	h := sha256.Sum256([]byte("partnerdesk-demo-file-size:" + fileName))
	span := uint32(catalogMaxFileSize - catalogMinFileSize + 1)
	return catalogMinFileSize + int(binary.BigEndian.Uint32(h[:4])%span)
}

// FileContent returns the deterministic placeholder bytes of an edition's file: a text header, then
// SHA-256 counter-mode bytes seeded by the name; 32–256 KiB, the same bytes for the same name.
func FileContent(fileName string) []byte {
	size := catalogFileSize(fileName)
	buf := make([]byte, 0, size)
	buf = append(buf, "PartnerDesk demo placeholder\n"...)
	buf = append(buf, "File: "+fileName+"\n"...)
	buf = append(buf, "This is not installation media: it is deterministic placeholder content from the PartnerDesk demo catalog.\n\n"...)
	if len(buf) > size {
		buf = buf[:size]
	}
	seed := sha256.Sum256([]byte("partnerdesk-demo-file-content:" + fileName))
	var block [sha256.Size + 8]byte
	copy(block[:], seed[:])
	for ctr := uint64(0); len(buf) < size; ctr++ {
		binary.BigEndian.PutUint64(block[sha256.Size:], ctr)
		sum := sha256.Sum256(block[:])
		buf = append(buf, sum[:min(size-len(buf), len(sum))]...)
	}
	return buf
}

// catalogRates are the reference rates of internal/desk (units per USD × 10,000).
var catalogRates = desk.USDRates

// catalogConvert converts whole US dollars to a currency's minor units, rounded half-up to whole
// units (2-decimal currencies) or to hundreds (0-decimal currencies such as HUF, JPY, KRW); never 0.
func catalogConvert(usd, rate int64, currency string) int64 {
	v := usd * rate // units ×10000
	if desk.CurrencyDecimals(currency) == 0 {
		hundreds := max((v+500000)/1000000, 1)
		return hundreds * 100
	}
	units := max((v+5000)/10000, 1)
	return units * 100
}

// Prices returns every offer's unit price for its whole term: offer ID → currency → minor units,
// for every currency of desk.Countries, converted from a USD list price at fixed demo rates.
func Prices() map[string]map[string]int64 {
	out := make(map[string]map[string]int64)
	for _, s := range catalogProducts {
		for _, o := range s.offers {
			byCurrency := make(map[string]int64, len(catalogRates))
			for cur, rate := range catalogRates {
				byCurrency[cur] = catalogConvert(o.usd, rate, cur)
			}
			out[catalogOfferID(s, o)] = byCurrency
		}
	}
	return out
}
