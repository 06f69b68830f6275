package claims

import "slices"

// ApplyPayerModifiers adds to c's lines the modifiers c's payer requires that are missing:
// the credential modifier of the rendering provider and, on a telehealth place of service,
// the payer's telehealth modifier. Claims gets this from the sessions; a secondary claim
// (Secondary) copies the primary's lines, which carry the primary payer's modifiers, so it
// needs the secondary payer's added. A line already at four modifiers is left for the
// scrubber to report.
func (b *Builder) ApplyPayerModifiers(c *Claim) {
	if b.Setup == nil {
		return
	}
	payer, ok := b.Setup.Payer(c.Payer)
	if !ok {
		return
	}
	var credential string
	if pr, ok := b.Setup.Practice(c.Practice); ok {
		if p, ok := pr.Provider(c.RenderingNPI); ok {
			credential = CredentialModifier(payer, p.Credential)
		}
	}
	for i := range c.Lines {
		l := &c.Lines[i]
		if credential != "" && !slices.ContainsFunc(l.Modifiers, func(m string) bool { return credentialModifiers[m] }) && len(l.Modifiers) < MaxModifiers {
			l.Modifiers = append(l.Modifiers, credential)
		}
		pos := orDefault(l.PlaceOfService, c.PlaceOfService)
		if IsTelehealthPOS(pos) && payer.Telehealth.Modifier != "" && len(l.Modifiers) < MaxModifiers &&
			!slices.ContainsFunc(l.Modifiers, func(m string) bool { return telehealthModifiers[m] }) {
			l.Modifiers = append(l.Modifiers, payer.Telehealth.Modifier)
		}
	}
}
