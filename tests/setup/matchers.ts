// Registers the house's custom matchers (tests/support/matchers.ts) for every test file.
import { registerMatchers } from "../support/matchers";

registerMatchers();
