package x12

import "time"

// ISODate turns an X12 D8 date (CCYYMMDD) into YYYY-MM-DD, the form edigate stores and
// shows; anything that is not a valid D8 date is returned as it is.
func ISODate(d8 string) string {
	if len(d8) != 8 {
		return d8
	}
	if _, err := time.Parse("20060102", d8); err != nil {
		return d8
	}
	return d8[:4] + "-" + d8[4:6] + "-" + d8[6:]
}

// D8 turns a YYYY-MM-DD date into the X12 D8 form (CCYYMMDD); anything else is returned
// as it is, for the guide check to report.
func D8(iso string) string {
	if len(iso) == 10 && iso[4] == '-' && iso[7] == '-' {
		return iso[:4] + iso[5:7] + iso[8:]
	}
	return iso
}
