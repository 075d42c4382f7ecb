#pragma once
/// \file version.hpp
namespace hemsim {
inline constexpr const char* kVersion = "0.1.0";
}
