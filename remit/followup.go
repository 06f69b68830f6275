package remit

import (
	"fmt"
	"time"

	"github.com/edigate/edigate/queue"
	"github.com/edigate/edigate/x12"
)

// ReasonNo835 is the reason of every follow-up item. With the item's empty source it
// makes the queue's unique key hold one follow-up item per claim, ever.
const ReasonNo835 = "no 835"

// FollowUpItem is the work item for a claim filed on filed (YYYY-MM-DD, or a timestamp
// starting with it) that no 835 has spoken of after days days: check its status (a 276
// goes out), due after twice the wait, when silence has become a timely-filing risk.
func FollowUpItem(claimID, payer, filed string, total x12.Amount, days int) queue.Item {
	day := filed
	if len(day) > 10 {
		day = day[:10]
	}
	it := queue.Item{Kind: queue.FollowUp, ClaimID: claimID, Payer: payer, Reason: ReasonNo835,
		Category: "follow-up", Action: ActionCheckStatus, Amount: total,
		Message: fmt.Sprintf("no 835 %d days after submission (filed %s); a 276 status inquiry is sent", days, day)}
	if t, err := time.Parse("2006-01-02", day); err == nil {
		it.Due = t.AddDate(0, 0, 2*days).Format("2006-01-02")
	}
	return it
}
