// The key a client address is counted under by the per-address rate limits: an IPv6 client by its
// /64 (it holds all of it), an IPv4-mapped IPv6 address as the IPv4 address.
import { describe, expect, it } from "vitest";
import { clientAddressKey, parseIPv6 } from "../../../app/platform/rate-limit";

describe("clientAddressKey", () => {
  it.each([
    ["192.0.2.1", "192.0.2.1"],
    ["2001:db8:1:2::1", "2001:db8:1:2::/64"],
    ["2001:db8:1:2:ffff:eeee:dddd:cccc", "2001:db8:1:2::/64"],
    ["2001:DB8:0001:0002:0:0:0:7", "2001:db8:1:2::/64"],
    ["2001:db8::", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["[2001:db8:1:2::9]:443", "2001:db8:1:2::/64"],
    ["::ffff:192.0.2.1", "192.0.2.1"],
    ["::FFFF:c000:0201", "192.0.2.1"],
    ["unknown", "unknown"],
    ["not:an:address", "not:an:address"],
    ["2001:db8::1::2", "2001:db8::1::2"],
    ["1.2.3.4:5678", "1.2.3.4:5678"],
    ["256.1.1.1", "256.1.1.1"],
  ])("%j -> %j", (ip, key) => {
    expect(clientAddressKey(ip)).toBe(key);
  });

  it("gives every address of one /64 the same key, and another /64 another", () => {
    const keys = new Set(
      ["2001:db8:a:b::1", "2001:db8:a:b::2", "2001:db8:a:b:1234:5678:9abc:def0"].map(clientAddressKey),
    );
    expect(keys.size).toBe(1);
    expect(clientAddressKey("2001:db8:a:c::1")).not.toBe(clientAddressKey("2001:db8:a:b::1"));
  });
});

describe("parseIPv6", () => {
  it.each([
    ["::", [0, 0, 0, 0, 0, 0, 0, 0]],
    ["1::", [1, 0, 0, 0, 0, 0, 0, 0]],
    ["::ffff:1.2.3.4", [0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]],
    ["1:2:3:4:5:6:7:8", [1, 2, 3, 4, 5, 6, 7, 8]],
  ])("%j", (ip, groups) => {
    expect(parseIPv6(ip)).toEqual(groups);
  });

  it.each(["1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4::5:6:7:8", ":1::", "12345::", "g::", "1.2.3.4", "::1.2.3"])(
    "refuses %j",
    (ip) => {
      expect(parseIPv6(ip)).toBeNull();
    },
  );
});
