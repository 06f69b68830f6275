package guides

import (
	"strings"

	"github.com/edigate/edigate/x12"
)

// Code lists the guides name by their code source without printing them, and checks of an
// identifier's form, as data beside the tables. El attaches them by element reference, so
// every guide that uses N4, NM1, N1 or REF gets them (837P, 835, 270/271, 276/277, 277CA).
// A payer known to send legacy values can have a list downgraded to a warning or turned
// off (x12.CodeListPolicy, by Name).

// States is code source 22 (States and Outlying Areas of the U.S.: the states, DC, the
// territories and the armed forces codes AA, AE, AP) with the Canadian provinces and
// territories the guides allow in N402 for a Canadian address.
var States = codeSet(`
	AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM
	NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY
	AS FM GU MH MP PR PW UM VI AA AE AP`)

// Provinces are the Canadian provinces and territories (Canada Post).
var Provinces = codeSet(`AB BC MB NB NL NS NT NU ON PE QC SK YT`)

// Countries is code source 5 (ISO 3166-1 alpha-2 country codes).
var Countries = codeSet(`
	AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS 
	BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE 
	EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM 
	HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC 
	LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA 
	NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW 
	SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO 
	TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW `)

func codeSet(list string) map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(list) {
		m[c] = true
	}
	return m
}

// Code list names, as an x12.CodeListPolicy names them.
const (
	ListState   = "state"
	ListPostal  = "postal-code"
	ListCountry = "country"
	ListNPI     = "npi"
	ListTaxID   = "tax-id"
)

// CodeListNames are the names an x12.CodeListPolicy may use.
func CodeListNames() []string {
	return []string{ListState, ListPostal, ListCountry, ListNPI, ListTaxID}
}

// IsCodeList reports whether name is one of CodeListNames.
func IsCodeList(name string) bool {
	for _, n := range CodeListNames() {
		if n == name {
			return true
		}
	}
	return false
}

// foreign reports whether an N4 names a country other than the US and Canada (N404):
// its N402 and N403 then follow that country's rules, not these lists.
func foreign(seg *x12.Segment) bool {
	c := seg.Str(4)
	return c != "" && c != "US" && c != "CA"
}

var (
	stateList = &x12.CodeList{Name: ListState, Source: "code source 22, States and Provinces", Code: x12.IK4BadCode,
		Check: func(seg *x12.Segment, i int) bool {
			v := seg.Str(i)
			return foreign(seg) || States[v] || Provinces[v]
		}}
	postalList = &x12.CodeList{Name: ListPostal, Source: "code source 51, ZIP Code (5 or 9 digits); Canadian postal code A9A9A9", Code: x12.IK4BadChar,
		Check: func(seg *x12.Segment, i int) bool {
			v := seg.Element(i)
			switch {
			case foreign(seg):
				return true
			case Provinces[seg.Str(2)] || seg.Str(4) == "CA":
				return canadianPostal(v)
			}
			return (len(v) == 5 || len(v) == 9) && digits(v)
		}}
	countryList = &x12.CodeList{Name: ListCountry, Source: "code source 5, ISO 3166-1 country codes", Code: x12.IK4BadCode,
		Check: func(seg *x12.Segment, i int) bool { return Countries[seg.Str(i)] }}
	// The identifier lists look at the qualifier just before the value: NM108 for NM109,
	// N103 for N104 (data element 66), REF01 for REF02 (128).
	idList = &x12.CodeList{Name: ListNPI, Source: "NPI check digit (Luhn with prefix 80840), when the qualifier is XX or HPI", Code: x12.IK4BadChar,
		Check: func(seg *x12.Segment, i int) bool {
			switch seg.Str(i - 1) {
			case "XX", "HPI":
				return ValidNPI(seg.Element(i))
			}
			return true
		}}
	taxIDList = &x12.CodeList{Name: ListTaxID, Source: "federal tax id: nine digits, no hyphen, when the qualifier is FI, 24, 34, EI, TJ or SY", Code: x12.IK4BadChar,
		Check: func(seg *x12.Segment, i int) bool {
			switch seg.Str(i - 1) {
			case "FI", "24", "34", "EI", "TJ", "SY":
				v := seg.Element(i)
				return len(v) == 9 && digits(v)
			}
			return true
		}}
)

// codeLists returns the lists El attaches to an element by its reference.
func codeLists(ref string) []*x12.CodeList {
	switch ref {
	case "N402":
		return []*x12.CodeList{stateList}
	case "N403":
		return []*x12.CodeList{postalList}
	case "N404":
		return []*x12.CodeList{countryList}
	case "NM109", "N104", "REF02":
		return []*x12.CodeList{idList, taxIDList}
	}
	return nil
}

// ValidNPI reports whether v is a National Provider Identifier: ten digits whose last is
// the Luhn check digit of the first nine prefixed with 80840 (45 CFR 162.406).
func ValidNPI(v []byte) bool {
	if len(v) != 10 || !digits(v) {
		return false
	}
	sum := 24 // the Luhn sum of the prefix 80840
	for k := 0; k < 9; k++ {
		d := int(v[8-k] - '0')
		if k%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return (10-sum%10)%10 == int(v[9]-'0')
}

func digits(v []byte) bool {
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(v) > 0
}

func canadianPostal(v []byte) bool {
	if len(v) != 6 {
		return false
	}
	for k, c := range v {
		letter := c >= 'A' && c <= 'Z'
		digit := c >= '0' && c <= '9'
		if (k%2 == 0 && !letter) || (k%2 == 1 && !digit) {
			return false
		}
	}
	return true
}
