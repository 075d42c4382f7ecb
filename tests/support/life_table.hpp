#pragma once
// The US life table CSV read directly (no hemsim code), for tests that recompute life
// expectancy independently of the engine.

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace hemsim_test {

/// qx by age 0..100 for males [0] and females [1]; NaN where the file has no value.
inline std::vector<std::array<double, 2>> read_life_table(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::vector<std::array<double, 2>> qx(101, {NAN, NAN});
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (header) {  // age,qx_male,qx_female
      EXPECT_EQ(line.rfind("age,qx_male,qx_female", 0), 0U) << line;
      header = false;
      continue;
    }
    std::stringstream row(line);
    std::string age, male, female;
    std::getline(row, age, ',');
    std::getline(row, male, ',');
    std::getline(row, female, ',');
    if (male.empty()) continue;  // age 0 is blank in the 2019 table and never reached
    qx.at(static_cast<std::size_t>(std::stoi(age))) = {std::stod(male), std::stod(female)};
  }
  return qx;
}

}  // namespace hemsim_test
