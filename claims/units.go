package claims

import "fmt"

// AuthUnits is how many units of an authorization of kind unitKind the session consumes:
// one per session for visit authorizations; for 15-minute authorizations the CMS
// 8-minute rule over the session's minutes (a unit counts once its midpoint, 8 minutes,
// is passed), falling back to the units the practice sent when it gave no times.
func AuthUnits(s *Session, unitKind string) (int, error) {
	switch unitKind {
	case UnitVisit, "":
		return 1, nil
	case Unit15Minute:
		if m := SessionMinutes(s); m > 0 {
			u := FifteenMinuteUnits(m)
			if u == 0 {
				return 0, fmt.Errorf("%d minutes is under the 8 minutes of one 15-minute unit", m)
			}
			return u, nil
		}
		if s.Service.Units > 0 {
			return s.Service.Units, nil
		}
		return 0, fmt.Errorf("no minutes, start/end or units to count 15-minute units from")
	default:
		return 0, fmt.Errorf("unit kind %q is not visit or 15min", unitKind)
	}
}
