// A second (and third) process for tests/integration/notifications/reminders.test.ts: runs the
// reminders once at the time given (ms since the epoch) against DATA_DIR and prints what it told,
// as one line of JSON. Not a test file itself (no .test.ts): the test starts two of these at once.
import { testClock } from "../../../app/platform/clock.server";
import { sendReminders } from "../../../app/features/notifications/reminders.server";
import { wireEvents } from "../../../app/system/wiring.server";
import { closeDb } from "../../../db/connection";

wireEvents();
testClock.set(Number(process.argv[2]));
const report = sendReminders();
closeDb();
console.log(JSON.stringify(report));
