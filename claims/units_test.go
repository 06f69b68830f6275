package claims

import "testing"

func TestAuthUnits(t *testing.T) {
	tests := []struct {
		name    string
		s       Session
		kind    string
		want    int
		wantErr bool
	}{
		{"visit counts once however long", Session{Minutes: 90}, UnitVisit, 1, false},
		{"7 minutes bill nothing", Session{Minutes: 7}, Unit15Minute, 0, true},
		{"8 minutes pass the midpoint", Session{Minutes: 8}, Unit15Minute, 1, false},
		{"22 minutes are still one unit", Session{Minutes: 22}, Unit15Minute, 1, false},
		{"23 minutes are two", Session{Minutes: 23}, Unit15Minute, 2, false},
		{"start/end give 55 minutes = 4 units", Session{Start: "14:00", End: "14:55"}, Unit15Minute, 4, false},
		{"no times fall back to sent units", Session{Service: Service{Units: 3}}, Unit15Minute, 3, false},
		{"no times and no units", Session{}, Unit15Minute, 0, true},
		{"unknown kind", Session{Minutes: 60}, "hour", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AuthUnits(&tt.s, tt.kind)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Fatalf("units = %d, want %d", got, tt.want)
			}
		})
	}
}
