package desk

import (
	"sort"
	"strings"
)

// Country is one ISO 3166-1 market with its display names and billing currency.
type Country struct {
	Code     string // ISO 3166-1 alpha-2 code, upper case (XK is the user-assigned code for Kosovo)
	NameEN   string // English short name
	NameHU   string // Hungarian name
	Currency string // ISO 4217 code of the currency a CSP partner bills this market in
}

// Countries lists every ISO 3166-1 alpha-2 country/territory (249) plus XK (Kosovo), sorted by code.
//
// Currency: EUR for the euro area (including HR since 2023 and BG since 2026) and euro-using
// territories; the local currency for the major markets that have their own (and for dependent
// territories that use it, e.g. AUD for CX/CC/NF/NR/KI/TV/HM); USD for everything else.
var Countries = []Country{
	{Code: "AD", NameEN: "Andorra", NameHU: "Andorra", Currency: "EUR"},
	{Code: "AE", NameEN: "United Arab Emirates", NameHU: "Egyesült Arab Emírségek", Currency: "AED"},
	{Code: "AF", NameEN: "Afghanistan", NameHU: "Afganisztán", Currency: "USD"},
	{Code: "AG", NameEN: "Antigua and Barbuda", NameHU: "Antigua és Barbuda", Currency: "USD"},
	{Code: "AI", NameEN: "Anguilla", NameHU: "Anguilla", Currency: "USD"},
	{Code: "AL", NameEN: "Albania", NameHU: "Albánia", Currency: "USD"},
	{Code: "AM", NameEN: "Armenia", NameHU: "Örményország", Currency: "USD"},
	{Code: "AO", NameEN: "Angola", NameHU: "Angola", Currency: "USD"},
	{Code: "AQ", NameEN: "Antarctica", NameHU: "Antarktisz", Currency: "USD"},
	{Code: "AR", NameEN: "Argentina", NameHU: "Argentína", Currency: "USD"},
	{Code: "AS", NameEN: "American Samoa", NameHU: "Amerikai Szamoa", Currency: "USD"},
	{Code: "AT", NameEN: "Austria", NameHU: "Ausztria", Currency: "EUR"},
	{Code: "AU", NameEN: "Australia", NameHU: "Ausztrália", Currency: "AUD"},
	{Code: "AW", NameEN: "Aruba", NameHU: "Aruba", Currency: "USD"},
	{Code: "AX", NameEN: "Åland Islands", NameHU: "Åland-szigetek", Currency: "EUR"},
	{Code: "AZ", NameEN: "Azerbaijan", NameHU: "Azerbajdzsán", Currency: "USD"},
	{Code: "BA", NameEN: "Bosnia and Herzegovina", NameHU: "Bosznia-Hercegovina", Currency: "USD"},
	{Code: "BB", NameEN: "Barbados", NameHU: "Barbados", Currency: "USD"},
	{Code: "BD", NameEN: "Bangladesh", NameHU: "Banglades", Currency: "USD"},
	{Code: "BE", NameEN: "Belgium", NameHU: "Belgium", Currency: "EUR"},
	{Code: "BF", NameEN: "Burkina Faso", NameHU: "Burkina Faso", Currency: "USD"},
	{Code: "BG", NameEN: "Bulgaria", NameHU: "Bulgária", Currency: "EUR"},
	{Code: "BH", NameEN: "Bahrain", NameHU: "Bahrein", Currency: "USD"},
	{Code: "BI", NameEN: "Burundi", NameHU: "Burundi", Currency: "USD"},
	{Code: "BJ", NameEN: "Benin", NameHU: "Benin", Currency: "USD"},
	{Code: "BL", NameEN: "Saint Barthélemy", NameHU: "Saint-Barthélemy", Currency: "EUR"},
	{Code: "BM", NameEN: "Bermuda", NameHU: "Bermuda", Currency: "USD"},
	{Code: "BN", NameEN: "Brunei", NameHU: "Brunei", Currency: "USD"},
	{Code: "BO", NameEN: "Bolivia", NameHU: "Bolívia", Currency: "USD"},
	{Code: "BQ", NameEN: "Bonaire, Sint Eustatius and Saba", NameHU: "Bonaire, Sint Eustatius és Saba", Currency: "USD"},
	{Code: "BR", NameEN: "Brazil", NameHU: "Brazília", Currency: "BRL"},
	{Code: "BS", NameEN: "Bahamas", NameHU: "Bahama-szigetek", Currency: "USD"},
	{Code: "BT", NameEN: "Bhutan", NameHU: "Bhután", Currency: "USD"},
	{Code: "BV", NameEN: "Bouvet Island", NameHU: "Bouvet-sziget", Currency: "NOK"},
	{Code: "BW", NameEN: "Botswana", NameHU: "Botswana", Currency: "USD"},
	{Code: "BY", NameEN: "Belarus", NameHU: "Belarusz", Currency: "USD"},
	{Code: "BZ", NameEN: "Belize", NameHU: "Belize", Currency: "USD"},
	{Code: "CA", NameEN: "Canada", NameHU: "Kanada", Currency: "CAD"},
	{Code: "CC", NameEN: "Cocos (Keeling) Islands", NameHU: "Kókusz (Keeling)-szigetek", Currency: "AUD"},
	{Code: "CD", NameEN: "Congo (DRC)", NameHU: "Kongói Demokratikus Köztársaság", Currency: "USD"},
	{Code: "CF", NameEN: "Central African Republic", NameHU: "Közép-afrikai Köztársaság", Currency: "USD"},
	{Code: "CG", NameEN: "Congo (Republic)", NameHU: "Kongói Köztársaság", Currency: "USD"},
	{Code: "CH", NameEN: "Switzerland", NameHU: "Svájc", Currency: "CHF"},
	{Code: "CI", NameEN: "Côte d'Ivoire", NameHU: "Elefántcsontpart", Currency: "USD"},
	{Code: "CK", NameEN: "Cook Islands", NameHU: "Cook-szigetek", Currency: "NZD"},
	{Code: "CL", NameEN: "Chile", NameHU: "Chile", Currency: "USD"},
	{Code: "CM", NameEN: "Cameroon", NameHU: "Kamerun", Currency: "USD"},
	{Code: "CN", NameEN: "China", NameHU: "Kína", Currency: "CNY"},
	{Code: "CO", NameEN: "Colombia", NameHU: "Kolumbia", Currency: "USD"},
	{Code: "CR", NameEN: "Costa Rica", NameHU: "Costa Rica", Currency: "USD"},
	{Code: "CU", NameEN: "Cuba", NameHU: "Kuba", Currency: "USD"},
	{Code: "CV", NameEN: "Cabo Verde", NameHU: "Zöld-foki Köztársaság", Currency: "USD"},
	{Code: "CW", NameEN: "Curaçao", NameHU: "Curaçao", Currency: "USD"},
	{Code: "CX", NameEN: "Christmas Island", NameHU: "Karácsony-sziget", Currency: "AUD"},
	{Code: "CY", NameEN: "Cyprus", NameHU: "Ciprus", Currency: "EUR"},
	{Code: "CZ", NameEN: "Czechia", NameHU: "Csehország", Currency: "CZK"},
	{Code: "DE", NameEN: "Germany", NameHU: "Németország", Currency: "EUR"},
	{Code: "DJ", NameEN: "Djibouti", NameHU: "Dzsibuti", Currency: "USD"},
	{Code: "DK", NameEN: "Denmark", NameHU: "Dánia", Currency: "DKK"},
	{Code: "DM", NameEN: "Dominica", NameHU: "Dominika", Currency: "USD"},
	{Code: "DO", NameEN: "Dominican Republic", NameHU: "Dominikai Köztársaság", Currency: "USD"},
	{Code: "DZ", NameEN: "Algeria", NameHU: "Algéria", Currency: "USD"},
	{Code: "EC", NameEN: "Ecuador", NameHU: "Ecuador", Currency: "USD"},
	{Code: "EE", NameEN: "Estonia", NameHU: "Észtország", Currency: "EUR"},
	{Code: "EG", NameEN: "Egypt", NameHU: "Egyiptom", Currency: "USD"},
	{Code: "EH", NameEN: "Western Sahara", NameHU: "Nyugat-Szahara", Currency: "USD"},
	{Code: "ER", NameEN: "Eritrea", NameHU: "Eritrea", Currency: "USD"},
	{Code: "ES", NameEN: "Spain", NameHU: "Spanyolország", Currency: "EUR"},
	{Code: "ET", NameEN: "Ethiopia", NameHU: "Etiópia", Currency: "USD"},
	{Code: "FI", NameEN: "Finland", NameHU: "Finnország", Currency: "EUR"},
	{Code: "FJ", NameEN: "Fiji", NameHU: "Fidzsi", Currency: "USD"},
	{Code: "FK", NameEN: "Falkland Islands", NameHU: "Falkland-szigetek", Currency: "USD"},
	{Code: "FM", NameEN: "Micronesia", NameHU: "Mikronéziai Szövetségi Államok", Currency: "USD"},
	{Code: "FO", NameEN: "Faroe Islands", NameHU: "Feröer-szigetek", Currency: "DKK"},
	{Code: "FR", NameEN: "France", NameHU: "Franciaország", Currency: "EUR"},
	{Code: "GA", NameEN: "Gabon", NameHU: "Gabon", Currency: "USD"},
	{Code: "GB", NameEN: "United Kingdom", NameHU: "Egyesült Királyság", Currency: "GBP"},
	{Code: "GD", NameEN: "Grenada", NameHU: "Grenada", Currency: "USD"},
	{Code: "GE", NameEN: "Georgia", NameHU: "Grúzia", Currency: "USD"},
	{Code: "GF", NameEN: "French Guiana", NameHU: "Francia Guyana", Currency: "EUR"},
	{Code: "GG", NameEN: "Guernsey", NameHU: "Guernsey", Currency: "GBP"},
	{Code: "GH", NameEN: "Ghana", NameHU: "Ghána", Currency: "USD"},
	{Code: "GI", NameEN: "Gibraltar", NameHU: "Gibraltár", Currency: "USD"},
	{Code: "GL", NameEN: "Greenland", NameHU: "Grönland", Currency: "DKK"},
	{Code: "GM", NameEN: "Gambia", NameHU: "Gambia", Currency: "USD"},
	{Code: "GN", NameEN: "Guinea", NameHU: "Guinea", Currency: "USD"},
	{Code: "GP", NameEN: "Guadeloupe", NameHU: "Guadeloupe", Currency: "EUR"},
	{Code: "GQ", NameEN: "Equatorial Guinea", NameHU: "Egyenlítői-Guinea", Currency: "USD"},
	{Code: "GR", NameEN: "Greece", NameHU: "Görögország", Currency: "EUR"},
	{Code: "GS", NameEN: "South Georgia and the South Sandwich Islands", NameHU: "Déli-Georgia és Déli-Sandwich-szigetek", Currency: "USD"},
	{Code: "GT", NameEN: "Guatemala", NameHU: "Guatemala", Currency: "USD"},
	{Code: "GU", NameEN: "Guam", NameHU: "Guam", Currency: "USD"},
	{Code: "GW", NameEN: "Guinea-Bissau", NameHU: "Bissau-Guinea", Currency: "USD"},
	{Code: "GY", NameEN: "Guyana", NameHU: "Guyana", Currency: "USD"},
	{Code: "HK", NameEN: "Hong Kong", NameHU: "Hongkong", Currency: "HKD"},
	{Code: "HM", NameEN: "Heard Island and McDonald Islands", NameHU: "Heard-sziget és McDonald-szigetek", Currency: "AUD"},
	{Code: "HN", NameEN: "Honduras", NameHU: "Honduras", Currency: "USD"},
	{Code: "HR", NameEN: "Croatia", NameHU: "Horvátország", Currency: "EUR"},
	{Code: "HT", NameEN: "Haiti", NameHU: "Haiti", Currency: "USD"},
	{Code: "HU", NameEN: "Hungary", NameHU: "Magyarország", Currency: "HUF"},
	{Code: "ID", NameEN: "Indonesia", NameHU: "Indonézia", Currency: "USD"},
	{Code: "IE", NameEN: "Ireland", NameHU: "Írország", Currency: "EUR"},
	{Code: "IL", NameEN: "Israel", NameHU: "Izrael", Currency: "ILS"},
	{Code: "IM", NameEN: "Isle of Man", NameHU: "Man-sziget", Currency: "GBP"},
	{Code: "IN", NameEN: "India", NameHU: "India", Currency: "INR"},
	{Code: "IO", NameEN: "British Indian Ocean Territory", NameHU: "Brit Indiai-óceáni Terület", Currency: "USD"},
	{Code: "IQ", NameEN: "Iraq", NameHU: "Irak", Currency: "USD"},
	{Code: "IR", NameEN: "Iran", NameHU: "Irán", Currency: "USD"},
	{Code: "IS", NameEN: "Iceland", NameHU: "Izland", Currency: "USD"},
	{Code: "IT", NameEN: "Italy", NameHU: "Olaszország", Currency: "EUR"},
	{Code: "JE", NameEN: "Jersey", NameHU: "Jersey", Currency: "GBP"},
	{Code: "JM", NameEN: "Jamaica", NameHU: "Jamaica", Currency: "USD"},
	{Code: "JO", NameEN: "Jordan", NameHU: "Jordánia", Currency: "USD"},
	{Code: "JP", NameEN: "Japan", NameHU: "Japán", Currency: "JPY"},
	{Code: "KE", NameEN: "Kenya", NameHU: "Kenya", Currency: "USD"},
	{Code: "KG", NameEN: "Kyrgyzstan", NameHU: "Kirgizisztán", Currency: "USD"},
	{Code: "KH", NameEN: "Cambodia", NameHU: "Kambodzsa", Currency: "USD"},
	{Code: "KI", NameEN: "Kiribati", NameHU: "Kiribati", Currency: "AUD"},
	{Code: "KM", NameEN: "Comoros", NameHU: "Comore-szigetek", Currency: "USD"},
	{Code: "KN", NameEN: "Saint Kitts and Nevis", NameHU: "Saint Kitts és Nevis", Currency: "USD"},
	{Code: "KP", NameEN: "North Korea", NameHU: "Észak-Korea", Currency: "USD"},
	{Code: "KR", NameEN: "South Korea", NameHU: "Dél-Korea", Currency: "KRW"},
	{Code: "KW", NameEN: "Kuwait", NameHU: "Kuvait", Currency: "USD"},
	{Code: "KY", NameEN: "Cayman Islands", NameHU: "Kajmán-szigetek", Currency: "USD"},
	{Code: "KZ", NameEN: "Kazakhstan", NameHU: "Kazahsztán", Currency: "USD"},
	{Code: "LA", NameEN: "Laos", NameHU: "Laosz", Currency: "USD"},
	{Code: "LB", NameEN: "Lebanon", NameHU: "Libanon", Currency: "USD"},
	{Code: "LC", NameEN: "Saint Lucia", NameHU: "Saint Lucia", Currency: "USD"},
	{Code: "LI", NameEN: "Liechtenstein", NameHU: "Liechtenstein", Currency: "CHF"},
	{Code: "LK", NameEN: "Sri Lanka", NameHU: "Srí Lanka", Currency: "USD"},
	{Code: "LR", NameEN: "Liberia", NameHU: "Libéria", Currency: "USD"},
	{Code: "LS", NameEN: "Lesotho", NameHU: "Lesotho", Currency: "USD"},
	{Code: "LT", NameEN: "Lithuania", NameHU: "Litvánia", Currency: "EUR"},
	{Code: "LU", NameEN: "Luxembourg", NameHU: "Luxemburg", Currency: "EUR"},
	{Code: "LV", NameEN: "Latvia", NameHU: "Lettország", Currency: "EUR"},
	{Code: "LY", NameEN: "Libya", NameHU: "Líbia", Currency: "USD"},
	{Code: "MA", NameEN: "Morocco", NameHU: "Marokkó", Currency: "USD"},
	{Code: "MC", NameEN: "Monaco", NameHU: "Monaco", Currency: "EUR"},
	{Code: "MD", NameEN: "Moldova", NameHU: "Moldova", Currency: "USD"},
	{Code: "ME", NameEN: "Montenegro", NameHU: "Montenegró", Currency: "EUR"},
	{Code: "MF", NameEN: "Saint Martin (French part)", NameHU: "Saint Martin", Currency: "EUR"},
	{Code: "MG", NameEN: "Madagascar", NameHU: "Madagaszkár", Currency: "USD"},
	{Code: "MH", NameEN: "Marshall Islands", NameHU: "Marshall-szigetek", Currency: "USD"},
	{Code: "MK", NameEN: "North Macedonia", NameHU: "Észak-Macedónia", Currency: "USD"},
	{Code: "ML", NameEN: "Mali", NameHU: "Mali", Currency: "USD"},
	{Code: "MM", NameEN: "Myanmar", NameHU: "Mianmar", Currency: "USD"},
	{Code: "MN", NameEN: "Mongolia", NameHU: "Mongólia", Currency: "USD"},
	{Code: "MO", NameEN: "Macao", NameHU: "Makaó", Currency: "USD"},
	{Code: "MP", NameEN: "Northern Mariana Islands", NameHU: "Északi Mariana-szigetek", Currency: "USD"},
	{Code: "MQ", NameEN: "Martinique", NameHU: "Martinique", Currency: "EUR"},
	{Code: "MR", NameEN: "Mauritania", NameHU: "Mauritánia", Currency: "USD"},
	{Code: "MS", NameEN: "Montserrat", NameHU: "Montserrat", Currency: "USD"},
	{Code: "MT", NameEN: "Malta", NameHU: "Málta", Currency: "EUR"},
	{Code: "MU", NameEN: "Mauritius", NameHU: "Mauritius", Currency: "USD"},
	{Code: "MV", NameEN: "Maldives", NameHU: "Maldív-szigetek", Currency: "USD"},
	{Code: "MW", NameEN: "Malawi", NameHU: "Malawi", Currency: "USD"},
	{Code: "MX", NameEN: "Mexico", NameHU: "Mexikó", Currency: "MXN"},
	{Code: "MY", NameEN: "Malaysia", NameHU: "Malajzia", Currency: "USD"},
	{Code: "MZ", NameEN: "Mozambique", NameHU: "Mozambik", Currency: "USD"},
	{Code: "NA", NameEN: "Namibia", NameHU: "Namíbia", Currency: "USD"},
	{Code: "NC", NameEN: "New Caledonia", NameHU: "Új-Kaledónia", Currency: "USD"},
	{Code: "NE", NameEN: "Niger", NameHU: "Niger", Currency: "USD"},
	{Code: "NF", NameEN: "Norfolk Island", NameHU: "Norfolk-sziget", Currency: "AUD"},
	{Code: "NG", NameEN: "Nigeria", NameHU: "Nigéria", Currency: "USD"},
	{Code: "NI", NameEN: "Nicaragua", NameHU: "Nicaragua", Currency: "USD"},
	{Code: "NL", NameEN: "Netherlands", NameHU: "Hollandia", Currency: "EUR"},
	{Code: "NO", NameEN: "Norway", NameHU: "Norvégia", Currency: "NOK"},
	{Code: "NP", NameEN: "Nepal", NameHU: "Nepál", Currency: "USD"},
	{Code: "NR", NameEN: "Nauru", NameHU: "Nauru", Currency: "AUD"},
	{Code: "NU", NameEN: "Niue", NameHU: "Niue", Currency: "NZD"},
	{Code: "NZ", NameEN: "New Zealand", NameHU: "Új-Zéland", Currency: "NZD"},
	{Code: "OM", NameEN: "Oman", NameHU: "Omán", Currency: "USD"},
	{Code: "PA", NameEN: "Panama", NameHU: "Panama", Currency: "USD"},
	{Code: "PE", NameEN: "Peru", NameHU: "Peru", Currency: "USD"},
	{Code: "PF", NameEN: "French Polynesia", NameHU: "Francia Polinézia", Currency: "USD"},
	{Code: "PG", NameEN: "Papua New Guinea", NameHU: "Pápua Új-Guinea", Currency: "USD"},
	{Code: "PH", NameEN: "Philippines", NameHU: "Fülöp-szigetek", Currency: "USD"},
	{Code: "PK", NameEN: "Pakistan", NameHU: "Pakisztán", Currency: "USD"},
	{Code: "PL", NameEN: "Poland", NameHU: "Lengyelország", Currency: "PLN"},
	{Code: "PM", NameEN: "Saint Pierre and Miquelon", NameHU: "Saint-Pierre és Miquelon", Currency: "EUR"},
	{Code: "PN", NameEN: "Pitcairn Islands", NameHU: "Pitcairn-szigetek", Currency: "NZD"},
	{Code: "PR", NameEN: "Puerto Rico", NameHU: "Puerto Rico", Currency: "USD"},
	{Code: "PS", NameEN: "Palestine", NameHU: "Palesztina", Currency: "USD"},
	{Code: "PT", NameEN: "Portugal", NameHU: "Portugália", Currency: "EUR"},
	{Code: "PW", NameEN: "Palau", NameHU: "Palau", Currency: "USD"},
	{Code: "PY", NameEN: "Paraguay", NameHU: "Paraguay", Currency: "USD"},
	{Code: "QA", NameEN: "Qatar", NameHU: "Katar", Currency: "USD"},
	{Code: "RE", NameEN: "Réunion", NameHU: "Réunion", Currency: "EUR"},
	{Code: "RO", NameEN: "Romania", NameHU: "Románia", Currency: "RON"},
	{Code: "RS", NameEN: "Serbia", NameHU: "Szerbia", Currency: "USD"},
	{Code: "RU", NameEN: "Russia", NameHU: "Oroszország", Currency: "USD"},
	{Code: "RW", NameEN: "Rwanda", NameHU: "Ruanda", Currency: "USD"},
	{Code: "SA", NameEN: "Saudi Arabia", NameHU: "Szaúd-Arábia", Currency: "SAR"},
	{Code: "SB", NameEN: "Solomon Islands", NameHU: "Salamon-szigetek", Currency: "USD"},
	{Code: "SC", NameEN: "Seychelles", NameHU: "Seychelle-szigetek", Currency: "USD"},
	{Code: "SD", NameEN: "Sudan", NameHU: "Szudán", Currency: "USD"},
	{Code: "SE", NameEN: "Sweden", NameHU: "Svédország", Currency: "SEK"},
	{Code: "SG", NameEN: "Singapore", NameHU: "Szingapúr", Currency: "SGD"},
	{Code: "SH", NameEN: "Saint Helena, Ascension and Tristan da Cunha", NameHU: "Szent Ilona, Ascension és Tristan da Cunha", Currency: "USD"},
	{Code: "SI", NameEN: "Slovenia", NameHU: "Szlovénia", Currency: "EUR"},
	{Code: "SJ", NameEN: "Svalbard and Jan Mayen", NameHU: "Svalbard és Jan Mayen", Currency: "NOK"},
	{Code: "SK", NameEN: "Slovakia", NameHU: "Szlovákia", Currency: "EUR"},
	{Code: "SL", NameEN: "Sierra Leone", NameHU: "Sierra Leone", Currency: "USD"},
	{Code: "SM", NameEN: "San Marino", NameHU: "San Marino", Currency: "EUR"},
	{Code: "SN", NameEN: "Senegal", NameHU: "Szenegál", Currency: "USD"},
	{Code: "SO", NameEN: "Somalia", NameHU: "Szomália", Currency: "USD"},
	{Code: "SR", NameEN: "Suriname", NameHU: "Suriname", Currency: "USD"},
	{Code: "SS", NameEN: "South Sudan", NameHU: "Dél-Szudán", Currency: "USD"},
	{Code: "ST", NameEN: "São Tomé and Príncipe", NameHU: "São Tomé és Príncipe", Currency: "USD"},
	{Code: "SV", NameEN: "El Salvador", NameHU: "Salvador", Currency: "USD"},
	{Code: "SX", NameEN: "Sint Maarten (Dutch part)", NameHU: "Sint Maarten", Currency: "USD"},
	{Code: "SY", NameEN: "Syria", NameHU: "Szíria", Currency: "USD"},
	{Code: "SZ", NameEN: "Eswatini", NameHU: "Eswatini", Currency: "USD"},
	{Code: "TC", NameEN: "Turks and Caicos Islands", NameHU: "Turks- és Caicos-szigetek", Currency: "USD"},
	{Code: "TD", NameEN: "Chad", NameHU: "Csád", Currency: "USD"},
	{Code: "TF", NameEN: "French Southern Territories", NameHU: "Francia Déli Területek", Currency: "EUR"},
	{Code: "TG", NameEN: "Togo", NameHU: "Togo", Currency: "USD"},
	{Code: "TH", NameEN: "Thailand", NameHU: "Thaiföld", Currency: "USD"},
	{Code: "TJ", NameEN: "Tajikistan", NameHU: "Tádzsikisztán", Currency: "USD"},
	{Code: "TK", NameEN: "Tokelau", NameHU: "Tokelau", Currency: "NZD"},
	{Code: "TL", NameEN: "Timor-Leste", NameHU: "Kelet-Timor", Currency: "USD"},
	{Code: "TM", NameEN: "Turkmenistan", NameHU: "Türkmenisztán", Currency: "USD"},
	{Code: "TN", NameEN: "Tunisia", NameHU: "Tunézia", Currency: "USD"},
	{Code: "TO", NameEN: "Tonga", NameHU: "Tonga", Currency: "USD"},
	{Code: "TR", NameEN: "Türkiye", NameHU: "Törökország", Currency: "TRY"},
	{Code: "TT", NameEN: "Trinidad and Tobago", NameHU: "Trinidad és Tobago", Currency: "USD"},
	{Code: "TV", NameEN: "Tuvalu", NameHU: "Tuvalu", Currency: "AUD"},
	{Code: "TW", NameEN: "Taiwan", NameHU: "Tajvan", Currency: "TWD"},
	{Code: "TZ", NameEN: "Tanzania", NameHU: "Tanzánia", Currency: "USD"},
	{Code: "UA", NameEN: "Ukraine", NameHU: "Ukrajna", Currency: "USD"},
	{Code: "UG", NameEN: "Uganda", NameHU: "Uganda", Currency: "USD"},
	{Code: "UM", NameEN: "United States Minor Outlying Islands", NameHU: "Az Amerikai Egyesült Államok lakatlan külbirtokai", Currency: "USD"},
	{Code: "US", NameEN: "United States", NameHU: "Amerikai Egyesült Államok", Currency: "USD"},
	{Code: "UY", NameEN: "Uruguay", NameHU: "Uruguay", Currency: "USD"},
	{Code: "UZ", NameEN: "Uzbekistan", NameHU: "Üzbegisztán", Currency: "USD"},
	{Code: "VA", NameEN: "Vatican City", NameHU: "Vatikán", Currency: "EUR"},
	{Code: "VC", NameEN: "Saint Vincent and the Grenadines", NameHU: "Saint Vincent és a Grenadine-szigetek", Currency: "USD"},
	{Code: "VE", NameEN: "Venezuela", NameHU: "Venezuela", Currency: "USD"},
	{Code: "VG", NameEN: "British Virgin Islands", NameHU: "Brit Virgin-szigetek", Currency: "USD"},
	{Code: "VI", NameEN: "U.S. Virgin Islands", NameHU: "Amerikai Virgin-szigetek", Currency: "USD"},
	{Code: "VN", NameEN: "Vietnam", NameHU: "Vietnam", Currency: "USD"},
	{Code: "VU", NameEN: "Vanuatu", NameHU: "Vanuatu", Currency: "USD"},
	{Code: "WF", NameEN: "Wallis and Futuna", NameHU: "Wallis és Futuna", Currency: "USD"},
	{Code: "WS", NameEN: "Samoa", NameHU: "Szamoa", Currency: "USD"},
	{Code: "XK", NameEN: "Kosovo", NameHU: "Koszovó", Currency: "EUR"},
	{Code: "YE", NameEN: "Yemen", NameHU: "Jemen", Currency: "USD"},
	{Code: "YT", NameEN: "Mayotte", NameHU: "Mayotte", Currency: "EUR"},
	{Code: "ZA", NameEN: "South Africa", NameHU: "Dél-afrikai Köztársaság", Currency: "ZAR"},
	{Code: "ZM", NameEN: "Zambia", NameHU: "Zambia", Currency: "USD"},
	{Code: "ZW", NameEN: "Zimbabwe", NameHU: "Zimbabwe", Currency: "USD"},
}

// countriesByCode indexes Countries by upper-case code; built once at package init.
var countriesByCode = func() map[string]Country {
	m := make(map[string]Country, len(Countries))
	for _, c := range Countries {
		m[c.Code] = c
	}
	return m
}()

// normalizeCountryCode trims and upper-cases a country code so that every lookup in this file is
// case-insensitive ("au", " AU " and "AU" are the same market).
func normalizeCountryCode(code string) string {
	return strings.ToUpper(strings.TrimSpace(code))
}

// CountryByCode returns the country with the given ISO 3166-1 alpha-2 code (case-insensitive).
func CountryByCode(code string) (Country, bool) {
	c, ok := countriesByCode[normalizeCountryCode(code)]
	return c, ok
}

// UnavailableMarket is one entry of the seed's R7 table: its Hungarian text (the seed's machine
// translation, some of it garbled: kept to trace each entry to the seed, never shown) and its ISO
// code. Pages name it by the code (and PartNames).
type UnavailableMarket struct {
	SeedName string // the Hungarian text exactly as in the seed table, trimmed
	Code     string // ISO 3166-1 alpha-2 code of the territory it means
}

// ReservationUnavailableMarkets is the seed's R7 table of markets where Azure Reservations are not
// available, in the seed's order (column 1 top to bottom, then column 2, then column 3). The names
// are the seed's machine-translated Hungarian; several entries share a code (BQ, SJ).
var ReservationUnavailableMarkets = []UnavailableMarket{
	// Column 1: A–Gi.

	// Åland Islands (the seed drops the "Å").
	{"Aland-szigetek", "AX"},
	{"Amerikai Szamoa", "AS"},
	{"Andorra", "AD"},
	{"Anguilla", "AI"},
	{"Antarktisz", "AQ"},
	{"Antigua és Barbuda", "AG"},
	{"Aruba", "AW"},
	{"Azerbajdzsán", "AZ"},
	{"Benin", "BJ"},
	{"Bhután", "BT"},
	// Bonaire: part of the Caribbean Netherlands (Bonaire, Sint Eustatius and Saba) = BQ.
	{"Bonaire", "BQ"},
	{"Bouvet-sziget", "BV"},
	{"Brit indiai-óceáni terület", "IO"},
	{"Brit Virgin-szigetek", "VG"},
	{"Burkina Faso", "BF"},
	{"Burundi", "BI"},
	{"Kambodzsa", "KH"},
	{"Közép-afrikai Köztársaság", "CF"},
	{"Csád", "TD"},
	{"Kína", "CN"},
	{"Karácsony-sziget", "CX"},
	{"Cocos (Keeling)-szigetek", "CC"},
	{"Comore-szigetek", "KM"},
	// Plain "Kongó" is the Republic of the Congo (Congo-Brazzaville) = CG.
	{"Kongó", "CG"},
	// "Kongó (KDK)" is the Democratic Republic of the Congo (Congo-Kinshasa) = CD.
	{"Kongó (KDK)", "CD"},
	{"Cook-szigetek", "CK"},
	{"Dzsibuti", "DJ"},
	// Dominica (DM), not the Dominican Republic (DO).
	{"Dominika", "DM"},
	{"Egyenlítői-Guinea", "GQ"},
	{"Eritrea", "ER"},
	{"Falkland-szigetek", "FK"},
	{"Francia Guyana", "GF"},
	{"Francia Polinézia", "PF"},
	{"Francia Déli Területek", "TF"},
	{"Gabon", "GA"},
	{"Gambia", "GM"},
	{"Gibraltár", "GI"},

	// Column 2: Gr–Pal.
	{"Grönland", "GL"},
	{"Grenada", "GD"},
	{"Guadeloupe", "GP"},
	{"Guam", "GU"},
	{"Guernsey", "GG"},
	{"Guinea", "GN"},
	// Guinea-Bissau = GW (Hungarian word order), not Guinea (GN).
	{"Bissau-Guinea", "GW"},
	{"Guyana", "GY"},
	{"Haiti", "HT"},
	{"Heard-sziget és McDonald-szigetek", "HM"},
	// Isle of Man = IM.
	{"Man-sziget", "IM"},
	// Jan Mayen has no code of its own: Svalbard and Jan Mayen = SJ.
	{"Jan Mayen", "SJ"},
	{"Jersey", "JE"},
	{"Kiribati", "KI"},
	// Kosovo: XK is a user-assigned code, commonly used (not in ISO 3166-1 proper).
	{"Koszovó", "XK"},
	{"Laosz", "LA"},
	{"Lesotho", "LS"},
	{"Libéria", "LR"},
	{"Madagaszkár", "MG"},
	{"Malawi", "MW"},
	{"Maldív-szigetek", "MV"},
	{"Mali", "ML"},
	{"Marshall-szigetek", "MH"},
	{"Martinique", "MQ"},
	{"Mauritánia", "MR"},
	{"Mayotte", "YT"},
	// Federated States of Micronesia = FM (the country, not the region).
	{"Mikronézia", "FM"},
	{"Montserrat", "MS"},
	{"Mozambik", "MZ"},
	{"Mianmar", "MM"},
	{"Nauru", "NR"},
	{"Új-Kaledónia", "NC"},
	{"Niger", "NE"},
	{"Niue", "NU"},
	{"Norfolk-sziget", "NF"},
	{"Északi Mariana-szigetek", "MP"},
	{"Palau", "PW"},

	// Column 3: Pap–Z.
	{"Pápua Új-Guinea", "PG"},
	{"Pitcairn-szigetek", "PN"},
	{"Réunion", "RE"},
	// Saba: part of the Caribbean Netherlands = BQ.
	{"Saba", "BQ"},
	{"Saint Barthélemy", "BL"},
	{"Saint Lucia", "LC"},
	// Saint Martin is the French part (MF); the Dutch part, Sint Maarten, is SX below.
	{"Saint Martin", "MF"},
	{"Saint-Pierre és Miquelon", "PM"},
	{"Saint Vincent és Grenadine-szigetek", "VC"},
	// Samoa (the independent state) = WS, not American Samoa (AS).
	{"Szamoa", "WS"},
	{"San Marino", "SM"},
	// Garbled: São Tomé and Príncipe = ST.
	{"Sémo Tomé és Príncipe", "ST"},
	{"Seychelle-szigetek", "SC"},
	{"Sierra Leone", "SL"},
	// Sint Eustatius: part of the Caribbean Netherlands = BQ.
	{"Sint Eustatius", "BQ"},
	{"Sint Maarten", "SX"},
	{"Salamon-szigetek", "SB"},
	{"Szomália", "SO"},
	{"Dél-Georgia és Déli-Sandwich-szigetek", "GS"},
	{"Dél-Szudán", "SS"},
	// Garbled: Saint Helena, Ascension and Tristan da Cunha = SH.
	{"St Foga, Ascension, Tristan da Amilyenha", "SH"},
	{"Suriname", "SR"},
	// Svalbard has no code of its own: Svalbard and Jan Mayen = SJ.
	{"Svalbard", "SJ"},
	// Swaziland, renamed Eswatini in 2018 = SZ.
	{"Szváziföld", "SZ"},
	{"Timor-Leste", "TL"},
	{"Togo", "TG"},
	{"Tokelau", "TK"},
	{"Tonga", "TO"},
	{"Turks- és Caicos-szigetek", "TC"},
	{"Tuvalu", "TV"},
	// Garbled: United States Minor Outlying Islands = UM.
	{"Egyesült Államokbeli, outlying-szigetek", "UM"},
	{"Vanuatu", "VU"},
	// Vatican City (Holy See) = VA.
	{"Vatikán", "VA"},
	{"Wallis és Futuna", "WF"},
	{"Jemen", "YE"},
}

// marketParts names, in English and Hungarian, the seed's markets that are a part of an ISO
// territory: Partner Center lists Bonaire, Sint Eustatius and Saba (all BQ) and Svalbard and Jan
// Mayen (both SJ) as markets of their own.
var marketParts = map[string][2]string{
	"Bonaire":        {"Bonaire", "Bonaire"},
	"Saba":           {"Saba", "Saba"},
	"Sint Eustatius": {"Sint Eustatius", "Sint Eustatius"},
	"Svalbard":       {"Svalbard", "Svalbard"},
	"Jan Mayen":      {"Jan Mayen", "Jan Mayen"},
}

// PartNames returns the English and Hungarian names of a market that is a part of its ISO
// territory; ok is false when the market is the whole territory (its name is the country's).
func (u UnavailableMarket) PartNames() (en, hu string, ok bool) {
	n, ok := marketParts[u.SeedName]
	return n[0], n[1], ok
}

// reservationUnavailable is the set of codes in ReservationUnavailableMarkets; built once at init.
var reservationUnavailable = func() map[string]struct{} {
	m := make(map[string]struct{}, len(ReservationUnavailableMarkets))
	for _, u := range ReservationUnavailableMarkets {
		m[u.Code] = struct{}{}
	}
	return m
}()

// ReservationsAvailable reports whether Azure Reservations may be sold to a customer in the given
// market (R7): false for every code in ReservationUnavailableMarkets, true otherwise. Case-insensitive.
func ReservationsAvailable(countryCode string) bool {
	_, blocked := reservationUnavailable[normalizeCountryCode(countryCode)]
	return !blocked
}

// ReservationUnavailableCodes returns the distinct R7 codes, sorted, for the reference page.
func ReservationUnavailableCodes() []string {
	codes := make([]string, 0, len(reservationUnavailable))
	for c := range reservationUnavailable {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	return codes
}

// TaxIncluded reports whether commercial prices in the market include tax (R6): true only for
// Australia (AU) and Brazil (BR). Case-insensitive, so "au" is AU and returns true.
func TaxIncluded(countryCode string) bool {
	switch normalizeCountryCode(countryCode) {
	case "AU", "BR":
		return true
	}
	return false
}
