package claims

import "testing"

func TestAuthKeyRoundTrip(t *testing.T) {
	cases := []struct {
		in      string
		want    AuthKey
		wantErr bool
	}{
		{"demo-commercial/A1", AuthKey{"demo-commercial", "A1"}, false},
		{"p/AB/12", AuthKey{"p", "AB/12"}, false}, // a number may hold a slash
		{"p/", AuthKey{}, true},
		{"/A1", AuthKey{}, true},
		{"A1", AuthKey{}, true},
		{"", AuthKey{}, true},
	}
	for _, c := range cases {
		got, err := ParseAuthKey(c.in)
		if (err != nil) != c.wantErr || got != c.want {
			t.Errorf("ParseAuthKey(%q) = %+v, %v; want %+v, error %v", c.in, got, err, c.want, c.wantErr)
			continue
		}
		if err == nil && got.String() != c.in {
			t.Errorf("%+v.String() = %q, want %q", got, got.String(), c.in)
		}
	}
	a := Authorization{Payer: "p", Number: "N"}
	if a.Key() != (AuthKey{"p", "N"}) {
		t.Errorf("Key() = %+v", a.Key())
	}
}
