# Stratus test guest: static addresses from network_data.json (Nova's format), for
# networks without DHCP. Sourced by /sbin/init (busybox sh); busybox has awk but no jq.

# json_flat < FILE: each scalar of a JSON document as one "path=value" line, arrays
# counted from 0, e.g. "networks.0.routes.0.gateway=10.0.0.1"; null stays "null".
json_flat() {
    awk '
    function path(   p, i) {
        p = key[1]
        for (i = 2; i <= depth; i++) p = p "." key[i]
        return p
    }
    { text = text $0 "\n" }
    END {
        n = length(text)
        for (i = 1; i <= n; i++) {
            c = substr(text, i, 1)
            if (c == "{" || c == "[") {
                depth++; kind[depth] = c; key[depth] = (c == "[") ? 0 : ""
            } else if (c == "}" || c == "]") {
                depth--
            } else if (c == ",") {
                if (kind[depth] == "[") key[depth]++
            } else if (c == "\"") {
                value = ""
                for (i++; i <= n && (c = substr(text, i, 1)) != "\""; i++) {
                    if (c == "\\") { i++; c = substr(text, i, 1) }
                    value = value c
                }
                j = i + 1
                while (substr(text, j, 1) ~ /[ \t\n]/) j++
                if (kind[depth] == "{" && substr(text, j, 1) == ":") {
                    key[depth] = value; i = j
                } else {
                    print path() "=" value
                }
            } else if (c !~ /[ \t\n]/) {
                value = c
                while (i < n && substr(text, i + 1, 1) !~ /[],} \t\n]/) {
                    i++; value = value substr(text, i, 1)
                }
                print path() "=" value
            }
        }
    }'
}

# flat_get FLAT KEY: the value of KEY in a json_flat file (nothing when absent or null).
flat_get() {
    awk -v k="$2=" 'index($0, k) == 1 {
        v = substr($0, length(k) + 1); if (v != "null") print v; exit }' "$1"
}

# prefix_of NETMASK: 255.255.255.0 -> 24 (a bare prefix length stays as it is).
prefix_of() {
    echo "$1" | awk -F. 'NF == 1 { print $1; exit }
        { n = 0; for (i = 1; i <= 4; i++) for (o = $i; o > 0; o = int(o / 2)) n += o % 2
          print n }'
}

# link_of FLAT MAC: the index of the link (NIC) with that MAC, if any.
link_of() {
    awk -F= -v mac="$2" '/^links\.[0-9]+\.ethernet_mac_address=/ && tolower($2) == tolower(mac) {
        split($1, p, "."); print p[2]; exit }' "$1"
}

# static_networks FLAT LINK_ID: the indexes of the link's ipv4 (static) networks, in order.
static_networks() {
    awk -F= -v link="$2" '
        /^networks\.[0-9]+\.(link|type)=/ {
            split($1, p, "."); field[p[2] "." p[3]] = $2; if (p[2] + 0 > last) last = p[2] + 0 }
        END { for (i = 0; i <= last; i++)
                  if (field[i ".link"] == link && field[i ".type"] == "ipv4") print i }' "$1"
}

# default_gateway FLAT NETWORK: the gateway of the network's 0.0.0.0/0 route, if any.
default_gateway() {
    awk -F= -v prefix="networks.$2.routes." '
        index($1, prefix) == 1 { route[substr($1, length(prefix) + 1)] = $2 }
        END { for (i = 0; (i ".gateway") in route; i++)
                  if (route[i ".network"] == "0.0.0.0" && route[i ".netmask"] == "0.0.0.0") {
                      print route[i ".gateway"]; exit } }' "$1"
}

# static_config FLAT NIC MAC: give NIC its link's MTU, its static IPv4 addresses and the
# default route through its first gateway (when there is none yet); fails, changing
# nothing, when network_data has no static IPv4 address for the NIC's MAC.
static_config() {
    local link nets mtu net gateway
    link=$(link_of "$1" "$3")
    [ -n "$link" ] || return 1
    nets=$(static_networks "$1" "$(flat_get "$1" "links.$link.id")")
    [ -n "$nets" ] || return 1
    mtu=$(flat_get "$1" "links.$link.mtu")
    [ -n "$mtu" ] && ip link set dev "$2" mtu "$mtu"
    ip -4 addr flush dev "$2"
    for net in $nets; do
        ip addr add "$(flat_get "$1" "networks.$net.ip_address")/$(prefix_of \
            "$(flat_get "$1" "networks.$net.netmask")")" dev "$2"
        gateway=$(default_gateway "$1" "$net")
        [ -n "$gateway" ] && ! ip route | grep -q ^default \
            && ip route add default via "$gateway" dev "$2"
    done
    return 0
}

# ipv6_address FLAT MAC: "ADDRESS TYPE PREFIXLEN" of the IPv6 address network_data.json
# gives the NIC with that MAC (type ipv6_slaac: from router advertisements; ipv6:
# static), if any.
ipv6_address() {
    local link
    link=$(link_of "$1" "$2")
    [ -n "$link" ] || return 0
    awk -F= -v link="$(flat_get "$1" "links.$link.id")" '
        /^networks\.[0-9]+\.(link|type|ip_address|netmask)=/ {
            split($1, p, "."); field[p[2] "." p[3]] = $2; if (p[2] + 0 > last) last = p[2] + 0 }
        END { for (i = 0; i <= last; i++)
                  if (field[i ".link"] == link && field[i ".type"] ~ /^ipv6/) {
                      print field[i ".ip_address"], field[i ".type"], field[i ".netmask"]
                      exit } }' "$1"
}
